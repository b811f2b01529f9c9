/**
 * ASVS v5 16.5 (errors: fail closed, keep working securely when a dependency fails), with 7.2.1 and
 * 9.1.1 behind them: faults injected for real.
 *
 * - The database unavailable: this process's Prisma client is replaced by one that cannot reach its
 *   database (SQLite: a file under a directory that does not exist, the way a lost volume looks to the
 *   app; PostgreSQL: a server port nothing listens on; tests/helpers/database-faults.ts).
 *   Sensitive actions and sign-in must refuse with a clear message and write nothing; the stateless
 *   reads (proxy, pages, /api/me) never touch the database and keep answering.
 * - A crash in the middle of a payment: a real second process (tests/helpers/crash-worker.ts) is
 *   SIGKILLed inside the payment transaction, after the debit and the credit ran and before the commit;
 *   and a statement refused by the database itself (a trigger) at the credit.
 *
 * Restarting a real server (no session and no payment lost) and removing a signing key from the
 * configuration are in e2e/asvs-16-restart.spec.ts: they need a real `next start` process.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { NextRequest } from 'next/server';
import { TEST_DATABASE_URL, useTestDatabase } from '../helpers/database';
import { refuseStatements, withDatabaseUnavailable } from '../helpers/database-faults';
import { createUser, formData, meta, PASSWORD, sensitiveRequestWith, signedInUser } from '../helpers/fixtures';
import { apiRequest, setCookies } from '../helpers/http';
import { proxy } from '../../proxy';
import { db } from '../../lib/db/client';
import { verifySession } from '../../lib/dal';
import { SERVICE_UNAVAILABLE, UNEXPECTED_ERROR } from '../../lib/forms/messages';
import { cookieNames } from '../../lib/tokens/cookies';
import { runSensitiveAction } from '../../lib/sensitive-actions/checked-action';
import { changePasswordDefinition } from '../../lib/sensitive-actions/change-password-action';
import { confirmPasswordDefinition } from '../../lib/sensitive-actions/confirm-password-action';
import { sendPaymentDefinition } from '../../lib/sensitive-actions/send-payment-action';
import { signOutSessionsDefinition } from '../../lib/sensitive-actions/sign-out-sessions-action';
import { keepTokenCopyDefinition, tryTokenCopyDefinition } from '../helpers/lab-copy';
import { createSession } from '../../lib/session/session-store';
import { POST as login } from '../../app/api/auth/login/route';
import { POST as signup } from '../../app/api/auth/signup/route';

useTestDatabase();

const names = cookieNames();
/** Everything the faults could leave half-done: balances, payments, events, password, sessions, lab copies. */
async function ledger(userIds: string[]) {
  const users = await db().user.findMany({ where: { id: { in: userIds } }, orderBy: { id: 'asc' } });
  return {
    balances: users.map((u) => u.balanceCents),
    passwords: users.map((u) => u.passwordHash),
    payments: await db().payment.count({ where: { OR: [{ senderId: { in: userIds } }, { recipientId: { in: userIds } }] } }),
    paymentEvents: await db().securityEvent.count({ where: { userId: { in: userIds }, type: 'payment_sent' } }),
    sessions: await db().session.findMany({ where: { userId: { in: userIds } }, select: { id: true, revokedAt: true }, orderBy: { id: 'asc' } }),
    labCopies: await db().labTokenCopy.count({ where: { userId: { in: userIds } } }),
  };
}

describe('database unavailable: sensitive actions and sign-in fail closed, stateless reads keep answering (ASVS 16.5)', () => {
  test('the broken client really cannot reach a database (the fault is real)', async () => {
    await withDatabaseUnavailable(async () => {
      await assert.rejects(db().user.count());
    });
  });

  test('every sensitive action refuses with a clear message and writes nothing', async (t) => {
    const errors = t.mock.method(console, 'error', () => undefined);
    const now = new Date();
    const alice = await signedInUser(now, { bound: true });
    const bob = await createUser({ balanceCents: 0 });
    const phone = await createSession(alice.user.id, meta, now);
    const before = await ledger([alice.user.id, bob.id]);
    const results = await withDatabaseUnavailable(async () => [
      await runSensitiveAction(sendPaymentDefinition, sensitiveRequestWith(alice.accessToken, now).request, await alice.actionForm({ recipient: bob.email, amount: '10.00', idempotencyKey: randomUUID() })),
      await runSensitiveAction(confirmPasswordDefinition, sensitiveRequestWith(alice.accessToken, now).request, await alice.actionForm({ password: PASSWORD })),
      await runSensitiveAction(
        changePasswordDefinition,
        sensitiveRequestWith(alice.accessToken, now).request,
        await alice.actionForm({ currentPassword: PASSWORD, newPassword: 'another long password', confirmPassword: 'another long password' }),
      ),
      await runSensitiveAction(signOutSessionsDefinition, sensitiveRequestWith(alice.accessToken, now).request, await alice.actionForm({ scope: 'one', sessionId: phone.session.id })),
      await runSensitiveAction(signOutSessionsDefinition, sensitiveRequestWith(alice.accessToken, now).request, await alice.actionForm({ scope: 'others' })),
      await runSensitiveAction(keepTokenCopyDefinition, sensitiveRequestWith(alice.accessToken, now).request, await alice.actionForm({})),
      await runSensitiveAction(tryTokenCopyDefinition, sensitiveRequestWith(alice.accessToken, now).request, await alice.actionForm({})),
    ]);
    assert.equal(results.length, 7);
    for (const result of results) assert.deepEqual(result, { status: 'error', code: 'unexpected', message: UNEXPECTED_ERROR });
    assert.equal(errors.mock.callCount(), results.length, 'each failure is logged on the server, not shown to the person');
    assert.deepEqual(await ledger([alice.user.id, bob.id]), before, 'no partial write');
    // And once the database is back, the same session acts again: nothing was left locked or half-done.
    const retry = await runSensitiveAction(sendPaymentDefinition, sensitiveRequestWith(alice.accessToken, now).request, await alice.actionForm({ recipient: bob.email, amount: '10.00', idempotencyKey: randomUUID() }));
    assert.equal(retry.status, 'success');
  });

  test('sign-in answers 503 with a plain message and Retry-After, sets no cookie, and leaks nothing', async (t) => {
    t.mock.method(console, 'error', () => undefined);
    const alice = await createUser();
    const response = await withDatabaseUnavailable(() => login(apiRequest('/api/auth/login', { body: { email: alice.email, password: PASSWORD } })));
    assert.equal(response.status, 503);
    assert.deepEqual(await response.json(), { error: SERVICE_UNAVAILABLE });
    assert.ok(Number(response.headers.get('retry-after')) > 0, 'Retry-After');
    assert.deepEqual([...setCookies(response).keys()], [], 'no cookie: no session was made');
    assert.equal(await db().session.count({ where: { userId: alice.id } }), 0);
  });

  test('sign-up answers 503 the same way and creates no account', async (t) => {
    t.mock.method(console, 'error', () => undefined);
    const email = `new-${randomUUID()}@example.com`;
    const response = await withDatabaseUnavailable(() => signup(apiRequest('/api/auth/signup', { body: { email, password: 'a long enough password' } })));
    assert.equal(response.status, 503);
    assert.deepEqual(await response.json(), { error: SERVICE_UNAVAILABLE });
    assert.equal(await db().user.count({ where: { email } }), 0);
  });

  test('stateless reads keep answering: the proxy and the pages and /api/me read the token without the database', async () => {
    const now = new Date();
    const alice = await signedInUser(now);
    await withDatabaseUnavailable(async () => {
      const cookie = `${names.access}=${alice.accessToken}`;
      for (const path of ['/dashboard', '/payments', '/api/me']) {
        const response = await proxy(new NextRequest(`http://localhost:3000${path}`, { headers: { host: 'localhost:3000', cookie } }));
        assert.equal(response.headers.get('x-middleware-next'), '1', `${path} let through`);
      }
      const claims = await verifySession({ cookies: { get: (n) => (n === names.access ? { value: alice.accessToken } : undefined), has: (n) => n === names.access }, now });
      assert.equal(claims?.userId, alice.user.id);
    });
  });
});

describe('a crash in the middle of a payment leaves balances and history consistent (ASVS 16.5)', () => {
  const WORKER = fileURLToPath(new URL('../helpers/crash-worker.ts', import.meta.url));

  function runCrashingPayment(env: Record<string, string>): Promise<{ signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--liftoff-only', '--conditions=react-server', '--import', 'tsx', WORKER], {
        env: { ...process.env, DATABASE_URL: TEST_DATABASE_URL, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`crash worker hung: ${stderr}`));
      }, 30_000);
      child.on('close', (_code, signal) => {
        clearTimeout(timer);
        resolve({ signal, stdout, stderr });
      });
    });
  }

  test('a server process killed (SIGKILL) after the debit and credit, before the commit: no money moved, no payment, the key is free', async () => {
    const alice = await createUser({ balanceCents: 100_000 });
    const bob = await createUser({ balanceCents: 5_000 });
    const before = await ledger([alice.id, bob.id]);
    const key = randomUUID();
    const crash = await runCrashingPayment({ CRASH_SENDER_ID: alice.id, CRASH_RECIPIENT: bob.email, CRASH_AMOUNT_CENTS: '2500', CRASH_KEY: key });
    assert.equal(crash.signal, 'SIGKILL', crash.stderr);
    assert.match(crash.stdout, /"crashing":true/, 'the transaction had debited and credited when the process died');
    assert.doesNotMatch(crash.stdout, /"completed"/);

    assert.deepEqual(await ledger([alice.id, bob.id]), before, 'the uncommitted debit and credit are gone, with the payment row');
    // The database is usable at once (no stale lock), and the same idempotency key pays exactly once.
    const { sendPayment } = await import('../../lib/payments/send-payment');
    const retried = await sendPayment(alice.id, { recipient: bob.email, amount: 2_500, idempotencyKey: key });
    assert.ok(retried.ok && !retried.duplicate, JSON.stringify(retried));
    const afterRetry = await ledger([alice.id, bob.id]);
    assert.deepEqual(afterRetry.balances.sort((a, b) => a - b), [7_500, 97_500].sort((a, b) => a - b));
    assert.equal(afterRetry.payments, 1);
  });

  describe('the database refuses the credit statement (a trigger aborts it after the debit ran)', () => {
    let undo: () => Promise<void>;
    before(async () => {
      undo = await refuseStatements({
        table: 'User',
        operation: { updateOf: 'balanceCents' },
        when: `NEW."balanceCents" > OLD."balanceCents" AND NEW."email" LIKE 'credit-refused-%'`,
        message: 'disk I/O error',
      });
    });
    after(() => undo());

    test('the payment action answers with the generic message; balances, history and events are as before', async (t) => {
      t.mock.method(console, 'error', () => undefined);
      const now = new Date();
      const alice = await signedInUser(now, { bound: true });
      // A payment writes the two balance rows in id order (lib/payments/send-payment.ts): a recipient whose
      // id sorts after the sender's is credited after the sender was debited, so the refusal comes then.
      // An id that sorts after any random one (a v4 UUID's first group is never all f's in practice).
      const lastId = `ffffffff-ffff-4fff-bfff-${randomUUID().slice(-12)}`;
      const bob = await createUser({ id: lastId, email: `credit-refused-${randomUUID()}@example.com`, balanceCents: 0 });
      assert.ok(bob.id > alice.user.id, 'a recipient credited after the debit');
      const before = await ledger([alice.user.id, bob.id]);
      const result = await runSensitiveAction(
        sendPaymentDefinition,
        sensitiveRequestWith(alice.accessToken, now).request,
        await alice.actionForm({ recipient: bob.email, amount: '40.00', idempotencyKey: randomUUID() }),
      );
      assert.deepEqual(result, { status: 'error', code: 'unexpected', message: UNEXPECTED_ERROR });
      assert.deepEqual(await ledger([alice.user.id, bob.id]), before);
    });
  });
});
