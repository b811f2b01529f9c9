/**
 * The timing oracle and cheap database growth, proven by the database operations
 * each request causes rather than by timing (too noisy to assert on): every Prisma operation is
 * recorded, and a known and an unknown email must cause the same sequence on every path.
 *
 *   node --conditions=react-server --import tsx --import ./tests/helpers/integration-setup.ts --test tests/integration/sign-in-work.test.ts
 */
// database: sqlite-only — it compares the Prisma operations each path causes, recorded in the client, the same on either database
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { TEST_DATABASE_URL, useTestDatabase } from '../helpers/database';
import { createUser, meta, PASSWORD, secondsLater } from '../helpers/fixtures';
import { createPrismaClient, db } from '../../lib/db/client';
import { signIn } from '../../lib/auth/sign-in';
import { signUp } from '../../lib/auth/sign-up';

useTestDatabase();

const operations: string[] = [];
// Installed where lib/db/client.ts looks for its client, before anything asks for one.
(globalThis as unknown as { prisma: unknown }).prisma = createPrismaClient(TEST_DATABASE_URL).$extends({
  query: {
    $allModels: {
      async $allOperations({ model, operation, args, query }) {
        operations.push(`${model}.${operation}`);
        return query(args);
      },
    },
  },
});

async function recorded(run: () => Promise<unknown>): Promise<string[]> {
  operations.length = 0;
  await run();
  return [...operations];
}

/** Each test uses its own client address, so the per-IP limit never interferes. */
const client = () => ({ ipAddress: `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.1`, userAgent: 'node:test' });

describe('the same database work for known and unknown emails', () => {
  test('timing oracle on a wrong password (401): the same operations for a real account and an unknown email', async () => {
    const user = await createUser();
    const unknown = `nobody-${randomUUID()}@example.com`;
    const now = new Date('2026-05-01T10:00:00Z');
    for (let attempt = 0; attempt < 5; attempt++) {
      const known = await recorded(() => signIn(user.email, 'wrong password', client(), secondsLater(now, attempt)));
      const missing = await recorded(() => signIn(unknown, 'wrong password', client(), secondsLater(now, attempt)));
      assert.deepEqual(known, missing, `attempt ${attempt + 1}`);
      assert.ok(known.includes('SecurityEvent.create'), 'both log the failure');
    }
  });

  test('timing oracle on a locked email (429): the same operations, and no insert left behind', async () => {
    const user = await createUser();
    const unknown = `nobody-${randomUUID()}@example.com`;
    const now = new Date('2026-05-02T10:00:00Z');
    for (let i = 0; i < 5; i++) {
      await signIn(user.email, 'wrong', client(), now);
      await signIn(unknown, 'wrong', client(), now);
    }
    const known = await recorded(() => signIn(user.email, 'wrong', meta, secondsLater(now, 1)));
    const missing = await recorded(() => signIn(unknown, 'wrong', meta, secondsLater(now, 1)));
    assert.deepEqual(known, missing);
    assert.ok(!known.includes('SecurityEvent.create'), 'a refused attempt writes no event');
    assert.ok(!known.includes('User.findUnique'), 'nor looks the account up');
  });

  test('timing oracle on signup: a new and an existing email cause the same operations', async () => {
    const existing = await createUser();
    const fresh = await recorded(() => signUp(`new-${randomUUID()}@example.com`, 'a long enough password', client()));
    const taken = await recorded(() => signUp(existing.email, 'a long enough password', client()));
    assert.deepEqual(fresh, taken);
  });
});

describe('no client can grow a table without bound', () => {
  test('hammering a locked email writes one login_throttled event per lock period, and no row per refused attempt', async () => {
    const user = await createUser();
    const now = new Date('2026-05-03T10:00:00Z');
    const attacker = { ipAddress: '192.0.2.50', userAgent: 'hammer' };
    for (let i = 0; i < 5; i++) await signIn(user.email, 'wrong', attacker, secondsLater(now, i));
    const rows = async () => ({
      events: await db().securityEvent.count(),
      attempts: await db().rateLimitAttempt.count(),
    });
    const locked = await rows();
    for (let i = 0; i < 200; i++) {
      const refused = await signIn(user.email, 'wrong', attacker, secondsLater(now, 10 + i));
      assert.ok(!refused.ok && refused.reason === 'throttled');
    }
    assert.deepEqual(await rows(), locked, 'refused attempts leave no rows');
    const types = (await db().securityEvent.findMany({ where: { userId: user.id }, orderBy: { createdAt: 'asc' } })).map((e) => e.type);
    assert.deepEqual(types, ['login_failed', 'login_failed', 'login_failed', 'login_failed', 'login_failed', 'login_throttled']);
  });

  test('a burst of concurrent failures that completes a lock still records it once', async () => {
    const user = await createUser();
    const now = new Date('2026-05-04T10:00:00Z');
    for (let i = 0; i < 3; i++) await signIn(user.email, 'wrong', client(), now);
    // Several may be counted at once and each see the lock; a burst may also be refused early.
    await Promise.all(Array.from({ length: 12 }, () => signIn(user.email, 'wrong', client(), now)));
    // Whatever the burst did, complete the lock if it is not complete yet, then hammer it.
    for (let i = 0; i < 3; i++) await signIn(user.email, 'wrong', client(), secondsLater(now, 1));
    assert.equal(await db().securityEvent.count({ where: { userId: user.id, type: 'login_throttled' } }), 1);
    assert.ok((await db().securityEvent.count({ where: { userId: user.id, type: 'login_failed' } })) <= 5);
  });

  test('the owner sees a new lock event only after the lock has lifted and a new one began', async () => {
    const user = await createUser();
    const start = new Date('2026-05-05T10:00:00Z');
    for (let i = 0; i < 5; i++) await signIn(user.email, 'wrong', client(), secondsLater(start, i));
    for (let i = 0; i < 5; i++) await signIn(user.email, 'wrong', client(), secondsLater(start, 1_000 + i));
    assert.equal(await db().securityEvent.count({ where: { userId: user.id, type: 'login_throttled' } }), 2);
    assert.ok((await signIn(user.email, PASSWORD, client(), secondsLater(start, 2_000))).ok);
  });
});
