/**
 * The attack on duplicated access cookies, run by two test files, one per cookie mode (configuration
 * is read once per process): tests/integration/duplicated-access-cookies.test.ts (prefixed `__Host-` names)
 * and tests/integration/duplicated-access-cookies-insecure.test.ts (COOKIE_SECURE=false, unprefixed names,
 * which a sibling host can plant). A browser that sends `access_token=<alice>; access_token=<bob>`
 * used to read as whichever came last: on pages, on /api/me and in a payment; logout ended only one.
 * Import this module only after setting the environment.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { useTestDatabase } from './database';
import { formData, recordingJar, signedInUser } from './fixtures';
import { apiRequest, setCookies } from './http';
import { db } from '../../lib/db/client';
import { cookieNames } from '../../lib/tokens/cookies';
import { CONFLICTING_SESSION_COOKIES } from '../../lib/tokens/duplicate-cookies';
import { verifyLiveSession, verifySession } from '../../lib/dal';
import { runSensitiveAction } from '../../lib/sensitive-actions/checked-action';
import { sendPaymentDefinition } from '../../lib/sensitive-actions/send-payment-action';
import { GET as meActive } from '../../app/api/me/active/route';
import { POST as logout } from '../../app/api/auth/logout/route';
import { proxy } from '../../proxy';

export function duplicatedAccessCookieAttacks(mode: string): void {
  useTestDatabase();
  const names = cookieNames();

  /** Alice (the victim, with money) and Bob, each signed in: the Cookie header carries both access tokens. */
  async function aliceAndBob() {
    const at = new Date(Date.now() - 60_000);
    return { alice: await signedInUser(at, { balanceCents: 10_000 }), bob: await signedInUser(at, { balanceCents: 10_000 }) };
  }

  /** Both orders: whichever came last used to win. */
  function bothOrders(first: string, second: string): string[] {
    return [
      `${names.access}=${first}; ${names.access}=${second}; ${names.hint}=1`,
      `${names.access}=${second}; ${names.access}=${first}; ${names.hint}=1`,
    ];
  }

  function assertAppCookiesCleared(cookies: Map<string, { value: string; attributes?: Record<string, string | true> }>) {
    for (const name of [names.access, names.refresh, names.hint]) assert.equal(cookies.get(name)?.value, '', `${name} cleared`);
  }

  describe(`duplicated access cookies (${mode}): no request reads as either account`, () => {
    test(`duplicated access cookies (${mode}): the names are ${names.access}`, () => {
      assert.equal(names.access, mode === 'COOKIE_SECURE=false' ? 'access_token' : '__Host-access_token');
    });

    test(`duplicated access cookies (${mode}): a protected page is sent to sign-in with the app cookies cleared, in either order`, async () => {
      const { alice, bob } = await aliceAndBob();
      for (const cookie of bothOrders(alice.accessToken, bob.accessToken)) {
        const response = await proxy(apiRequest('/dashboard', { method: 'GET', origin: undefined, headers: { cookie, 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'navigate' } }));
        assert.equal(response.status, 307);
        assert.match(response.headers.get('location') ?? '', /\/login\?next=%2Fdashboard$/, 'sign-in, not the renewal hop');
        assertAppCookiesCleared(setCookies(response));
        // Next's router fetch gets a plain 401, cookies cleared as well.
        const fetched = await proxy(apiRequest('/dashboard', { method: 'GET', origin: undefined, headers: { cookie, 'sec-fetch-mode': 'cors' } }));
        assert.equal(fetched.status, 401);
        assertAppCookiesCleared(setCookies(fetched));
      }
    });

    test(`duplicated access cookies (${mode}): pages and /api/me (the data access layer) read no session, in either order`, async () => {
      const { alice, bob } = await aliceAndBob();
      for (const cookie of bothOrders(alice.accessToken, bob.accessToken)) {
        const request = apiRequest('/api/me', { method: 'GET', headers: { cookie } });
        assert.equal(await verifySession({ cookies: request.cookies, headers: request.headers }), null);
        const active = await meActive(request);
        assert.equal(active.status, 401, '/api/me/active too');
      }
      // Each token alone still reads: the refusal is for the pair.
      const single = apiRequest('/api/me', { method: 'GET', headers: { cookie: `${names.access}=${alice.accessToken}` } });
      assert.equal((await verifySession({ cookies: single.cookies, headers: single.headers }))?.sessionId, alice.session.id);
    });

    test(`duplicated access cookies (${mode}): a payment is refused, moves no money, and clears the app cookies`, async () => {
      const { alice, bob } = await aliceAndBob();
      const recipient = await signedInUser();
      for (const cookie of bothOrders(alice.accessToken, bob.accessToken)) {
        const request = apiRequest('/payments', { headers: { cookie } });
        const jar = recordingJar();
        const result = await runSensitiveAction(
          sendPaymentDefinition,
          { headers: request.headers, accessToken: request.cookies.get(names.access)?.value, mayRenew: true, cookies: jar.jar, now: new Date() },
          formData({ recipient: recipient.user.email, amount: '12.50', idempotencyKey: randomUUID() }),
        );
        assert.deepEqual(result, { status: 'error', code: 'session_ended', message: CONFLICTING_SESSION_COOKIES });
        assertAppCookiesCleared(jar.set);
      }
      assert.equal(await db().payment.count(), 0, 'no payment from either account');
      for (const { user } of [alice, bob]) {
        assert.equal((await db().user.findUniqueOrThrow({ where: { id: user.id } })).balanceCents, 10_000);
      }
      // The stateful check refuses the pair on its own too.
      assert.deepEqual(await verifyLiveSession({ accessToken: bob.accessToken, mayRenew: true, now: new Date(), duplicatedCookies: true }), { ok: false, reason: 'ended' });
    });

    test(`duplicated access cookies (${mode}): Sign out ends the session of every access cookie value, whichever comes last`, async () => {
      for (const order of [0, 1]) {
        const { alice, bob } = await aliceAndBob();
        const cookie = bothOrders(alice.accessToken, bob.accessToken)[order];
        const response = await logout(apiRequest('/api/auth/logout', { headers: { cookie } }));
        assert.equal(response.status, 200);
        assertAppCookiesCleared(setCookies(response));
        for (const { session } of [alice, bob]) {
          assert.equal((await db().session.findUniqueOrThrow({ where: { id: session.id } })).revokedReason, 'logout');
        }
      }
    });
  });
}
