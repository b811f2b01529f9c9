/**
 * The token attacks of tests/integration/token-attacks.test.ts with ACCESS_TOKEN_CHECK=revocation-list
 * (ASVS 7.4.1: with this mode on, logout ends reads too). The mode is read once per process, so it has
 * its own file; the same revocations in the default stateless mode, where the copy still reads, are in
 * that file's "stateless mode" block.
 *
 * - Every way a session is revoked (logout, /sessions, a password change elsewhere, refresh-token reuse,
 *   the lab copy): a copy of its access token is refused by the proxy (pages) and by the data
 *   access layer within the stated bound, and every sensitive action still refuses it; another live
 *   session of the same account still reads (the control).
 * - ASVS 16.5: with the database unavailable, the list cannot be reloaded and reads fail closed: a
 *   valid token is refused rather than read without the check.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';

process.env.ACCESS_TOKEN_CHECK = 'revocation-list';

const { withDatabaseUnavailable } = await import('../helpers/database-faults');
const { createUser, formData, PASSWORD, sensitiveRequestWith, signedInUser } = await import('../helpers/fixtures');
const { assertRevoked, REVOCATIONS } = await import('../helpers/revocations');
const { NextRequest } = await import('next/server');
const { proxy } = await import('../../proxy');
const { verifySession } = await import('../../lib/dal');
const { SESSION_ENDED } = await import('../../lib/forms/messages');
const { getConfig } = await import('../../lib/config/config');
const { cookieNames } = await import('../../lib/tokens/cookies');
const { unregisterRevocationList } = await import('../../lib/tokens/read-check');
const { revocationList, REVOCATION_LIST_REFRESH_MS } = await import('../../lib/session/revocation-list');
const { runSensitiveAction } = await import('../../lib/sensitive-actions/checked-action');
const { sendPaymentDefinition } = await import('../../lib/sensitive-actions/send-payment-action');
const { changePasswordDefinition } = await import('../../lib/sensitive-actions/change-password-action');

useTestDatabase();

const names = cookieNames();
const page = (token: string) =>
  new NextRequest('http://localhost:3000/dashboard', { headers: { host: 'localhost:3000', cookie: `${names.access}=${token}` } });
const jarWith = (token: string) => ({
  get: (name: string) => (name === names.access ? { value: token } : undefined),
  has: (name: string) => name === names.access,
});

/**
 * What a read answers: the proxy's verdict on a page, and what pages and /api/me read through the data
 * access layer (APIs are outside the proxy's matcher; GET /api/me answers 401 when this is null).
 */
async function reads(token: string) {
  const pageResponse = await proxy(page(token));
  return {
    page: pageResponse.headers.get('x-middleware-next') === '1' ? 'next' : `${pageResponse.status} ${new URL(pageResponse.headers.get('location') ?? 'http://x/').pathname}`,
    sessionId: (await verifySession({ cookies: jarWith(token) }))?.sessionId ?? null,
  };
}

/** Waits until no snapshot of the list taken before now can still answer a read (the 1 s bound's first half). */
const outlastSnapshot = () => new Promise((resolve) => setTimeout(resolve, REVOCATION_LIST_REFRESH_MS + 20));

afterEach(() => {
  unregisterRevocationList();
  revocationList();
});

describe('revocation-list mode: a token of a session ended any way is refused by reads too (ASVS 7.4.1)', () => {
  test('the mode is on in this process, and the list is registered as instrumentation.ts does it', () => {
    assert.equal(getConfig().ACCESS_TOKEN_CHECK, 'revocation-list');
    assert.ok(revocationList());
  });

  for (const revocation of REVOCATIONS) {
    test(`${revocation.name}: the proxy and the data access layer refuse the copy; every sensitive action still refuses it`, async () => {
      const now = new Date();
      const victim = await signedInUser(now);
      const bystander = await signedInUser(now);
      assert.deepEqual(await reads(victim.accessToken), { page: 'next', sessionId: victim.session.id }, 'reads before');

      await revocation.revoke(victim, now);
      await assertRevoked(victim, revocation.revokedReason);
      await outlastSnapshot();

      assert.deepEqual(await reads(victim.accessToken), { page: '307 /login', sessionId: null }, 'refused after');
      assert.deepEqual(await reads(bystander.accessToken), { page: 'next', sessionId: bystander.session.id }, 'others read on');

      const recipient = await createUser({ balanceCents: 0 });
      const payment = await runSensitiveAction(
        sendPaymentDefinition,
        sensitiveRequestWith(victim.accessToken, now).request,
        formData({ recipient: recipient.email, amount: '1.00', idempotencyKey: randomUUID() }),
      );
      const passwordChange = await runSensitiveAction(
        changePasswordDefinition,
        sensitiveRequestWith(victim.accessToken, now).request,
        formData({ currentPassword: PASSWORD, newPassword: 'chosen by a thief here', confirmPassword: 'chosen by a thief here' }),
      );
      for (const result of [payment, passwordChange]) assert.deepEqual(result, { status: 'error', code: 'session_ended', message: SESSION_ENDED });
    });
  }
});

describe('revocation-list mode with the database unavailable: reads fail closed (ASVS 16.5.2, 16.5.3)', () => {
  test('a valid token of a live session is refused by the proxy and the data access layer, never read unchecked; it reads again once the database is back', async (t) => {
    const errors = t.mock.method(console, 'error', () => undefined);
    const alice = await signedInUser();
    assert.deepEqual(await reads(alice.accessToken), { page: 'next', sessionId: alice.session.id }, 'the control: it reads');
    await outlastSnapshot();

    const down = await withDatabaseUnavailable(() => reads(alice.accessToken));
    assert.deepEqual(down, { page: '307 /login', sessionId: null });
    assert.ok(errors.mock.callCount() > 0, 'the failure is logged on the server');

    assert.deepEqual(await reads(alice.accessToken), { page: 'next', sessionId: alice.session.id }, 'back');
  });
});
