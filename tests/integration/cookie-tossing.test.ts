/**
 * Cookie tossing: a sibling host (evil.example.com next to app.example.com) sets
 * `__Secure-refresh_token` with `Domain=example.com`, so the victim's browser sends two refresh
 * cookies, the attacker's and its own, and Next's parser keeps the last. Each test plants the
 * attacker's cookie the way the browser would send it (the raw Cookie header, in either order) and
 * shows the swap or the wrong sign-out no longer happens.
 *
 *   node --conditions=react-server --import tsx --import ./tests/helpers/integration-setup.ts --test tests/integration/cookie-tossing.test.ts
 */
// database: sqlite-only — which copy of a tossed cookie is trusted is decided from the Cookie header; the database only holds the sessions
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';
import { createUser, PASSWORD, signedInUser } from '../helpers/fixtures';
import { apiRequest, setCookies } from '../helpers/http';
import { db } from '../../lib/db/client';
import { cookieNames } from '../../lib/tokens/cookies';
import {
  CONFLICTING_SESSION_COOKIES,
  cookieValues,
  duplicatedSessionCookies,
} from '../../lib/tokens/duplicate-cookies';
import { hashRefreshToken } from '../../lib/tokens/refresh-token';
import { verifyAccessToken } from '../../lib/tokens/access-token';
import { POST as login } from '../../app/api/auth/login/route';
import { POST as logout } from '../../app/api/auth/logout/route';
import { GET as renewByNavigation, POST as refresh } from '../../app/api/auth/refresh/route';

useTestDatabase();

const names = cookieNames();

/** A victim and an attacker, each signed in a minute ago: the attacker's refresh token is what gets planted. */
async function victimAndAttacker() {
  const at = new Date(Date.now() - 60_000);
  return { victim: await signedInUser(at), attacker: await signedInUser(at) };
}

/** The Cookie header a browser sends: name=value pairs in the given order, duplicates and all. */
function cookieHeader(pairs: Array<[string, string]>): string {
  return pairs.map(([name, value]) => `${name}=${value}`).join('; ');
}

/** Both orders: the browser puts the cookie with the longer Path first, and the attacker picks the Path. */
function bothOrders(victimToken: string, attackerToken: string): Array<[string, string]>[] {
  return [
    [[names.refresh, victimToken], [names.refresh, attackerToken], [names.hint, '1']],
    [[names.refresh, attackerToken], [names.refresh, victimToken], [names.hint, '1']],
  ];
}

async function tokenRow(token: string) {
  return db().refreshToken.findUniqueOrThrow({ where: { tokenHash: hashRefreshToken(token) } });
}

async function sessionRow(id: string) {
  return db().session.findUniqueOrThrow({ where: { id } });
}

function assertAppCookiesCleared(response: Response) {
  const cookies = setCookies(response);
  assert.deepEqual([...cookies.keys()].sort(), [names.access, names.hint, names.refresh].sort(), 'the three app cookies are cleared');
  for (const cookie of cookies.values()) {
    assert.equal(cookie.value, '', `${cookie.name} emptied`);
    assert.equal(cookie.attributes['max-age'], '0', `${cookie.name} expires now`);
    // Host-only: a deletion with Domain= could not be sent for a __Host- cookie, and the planted
    // copy (Domain=example.com) is out of the app's reach either way.
    assert.equal(cookie.attributes.domain, undefined, `${cookie.name} has no Domain`);
  }
}

describe('counting session cookies in the raw Cookie header', () => {
  test('a name sent twice is found, however the pairs are spaced; other cookies are ignored', () => {
    assert.deepEqual(duplicatedSessionCookies(null), []);
    assert.deepEqual(duplicatedSessionCookies(`${names.refresh}=a; theme=dark; theme=light`), []);
    assert.deepEqual(duplicatedSessionCookies(`${names.refresh}=a; ${names.refresh}=b`), [names.refresh]);
    assert.deepEqual(duplicatedSessionCookies(`${names.refresh}=a;${names.refresh}=b`), [names.refresh]);
    assert.deepEqual(duplicatedSessionCookies(`${names.access}=x;  ${names.access}=y; ${names.hint}=1`), [names.access]);
    assert.deepEqual(duplicatedSessionCookies(`${names.hint}=1; ${names.hint}`), [names.hint]);
  });

  test('every value is returned in header order, not only the last one as Next keeps it', () => {
    assert.deepEqual(cookieValues(`${names.refresh}=first; other=1; ${names.refresh}=second`, names.refresh), ['first', 'second']);
    assert.deepEqual(cookieValues(null, names.refresh), []);
  });
});

describe('cookie tossing against renewal: no session swap', () => {
  test('cookie tossing: POST /api/auth/refresh with a planted second refresh cookie is refused, rotates nothing, clears the app cookies', async () => {
    const { victim, attacker } = await victimAndAttacker();
    for (const pairs of bothOrders(victim.refreshToken, attacker.refreshToken)) {
      const response = await refresh(apiRequest('/api/auth/refresh', { headers: { cookie: cookieHeader(pairs) } }));
      assert.equal(response.status, 401);
      assertAppCookiesCleared(response);
    }
    assert.equal((await tokenRow(victim.refreshToken)).rotatedAt, null, "the victim's token is untouched");
    assert.equal((await tokenRow(attacker.refreshToken)).rotatedAt, null, "the attacker's token is untouched");
  });

  test('cookie tossing: the GET renewal hop with a planted refresh cookie does not sign the victim into the attacker’s account', async () => {
    const { victim, attacker } = await victimAndAttacker();
    for (const pairs of bothOrders(victim.refreshToken, attacker.refreshToken)) {
      const response = await renewByNavigation(
        apiRequest('/api/auth/refresh?next=%2Fpayments', {
          method: 'GET',
          origin: undefined,
          headers: { cookie: cookieHeader(pairs), 'sec-fetch-site': 'same-origin' },
        }),
      );
      assert.equal(response.status, 303);
      assert.equal(response.headers.get('location'), '/login?next=%2Fpayments');
      assertAppCookiesCleared(response);
    }
    assert.equal((await tokenRow(attacker.refreshToken)).rotatedAt, null);
  });

  test('cookie tossing: a lone planted refresh cookie beside the victim’s access token is refused (session mismatch)', async () => {
    const { victim, attacker } = await victimAndAttacker();
    const header = cookieHeader([[names.access, victim.accessToken], [names.refresh, attacker.refreshToken], [names.hint, '1']]);
    const viaPost = await refresh(apiRequest('/api/auth/refresh', { headers: { cookie: header } }));
    assert.equal(viaPost.status, 401);
    assertAppCookiesCleared(viaPost);
    const viaHop = await renewByNavigation(
      apiRequest('/api/auth/refresh?next=%2Fdashboard', { method: 'GET', origin: undefined, headers: { cookie: header, 'sec-fetch-site': 'same-origin' } }),
    );
    assert.equal(viaHop.headers.get('location'), '/login?next=%2Fdashboard');
    assert.equal((await tokenRow(attacker.refreshToken)).rotatedAt, null, 'refused before anything was consumed');
    assert.equal((await sessionRow(attacker.session.id)).revokedAt, null);

    // The same request with the victim's own refresh token renews as always.
    const own = cookieHeader([[names.access, victim.accessToken], [names.refresh, victim.refreshToken], [names.hint, '1']]);
    const renewed = await refresh(apiRequest('/api/auth/refresh', { headers: { cookie: own } }));
    assert.equal(renewed.status, 200);
    const verified = await verifyAccessToken(setCookies(renewed).get(names.access)!.value);
    assert.ok(verified.ok && verified.claims.sessionId === victim.session.id);
  });

  test('cookie tossing: an access cookie sent twice (a prefix-less deployment) is refused too', async () => {
    const { victim, attacker } = await victimAndAttacker();
    const header = cookieHeader([
      [names.access, victim.accessToken],
      [names.access, attacker.accessToken],
      [names.refresh, victim.refreshToken],
    ]);
    const response = await refresh(apiRequest('/api/auth/refresh', { headers: { cookie: header } }));
    assert.equal(response.status, 401);
    assertAppCookiesCleared(response);
    assert.equal((await tokenRow(victim.refreshToken)).rotatedAt, null);
  });
});

describe('cookie tossing against sign-out: the victim’s own session ends', () => {
  test('cookie tossing: Sign out with a planted refresh cookie ends the victim’s session, whichever cookie comes last', async () => {
    for (const victimFirst of [true, false]) {
      const { victim, attacker } = await victimAndAttacker();
      const [pairs] = bothOrders(victim.refreshToken, attacker.refreshToken).slice(victimFirst ? 0 : 1);
      const header = cookieHeader([[names.access, victim.accessToken], ...pairs]);
      const response = await logout(apiRequest('/api/auth/logout', { headers: { cookie: header } }));
      assert.equal(response.status, 200);
      assertAppCookiesCleared(response);
      assert.equal((await sessionRow(victim.session.id)).revokedReason, 'logout', "the victim's session ended");
      // The planted session ends too: only its owner, the attacker, held it.
      assert.equal((await sessionRow(attacker.session.id)).revokedReason, 'logout');
    }
  });

  test('cookie tossing: Sign out after the access token lapsed still ends the victim’s session (every refresh value counts)', async () => {
    const { victim, attacker } = await victimAndAttacker();
    const [pairs] = bothOrders(victim.refreshToken, attacker.refreshToken);
    const response = await logout(apiRequest('/api/auth/logout', { headers: { cookie: cookieHeader(pairs) } }));
    assert.equal(response.status, 200);
    assert.equal((await sessionRow(victim.session.id)).revokedReason, 'logout');
  });

  test('cookie tossing: Sign out with only the planted refresh cookie ends the session the access token names', async () => {
    const { victim, attacker } = await victimAndAttacker();
    const header = cookieHeader([[names.access, victim.accessToken], [names.refresh, attacker.refreshToken]]);
    await logout(apiRequest('/api/auth/logout', { headers: { cookie: header } }));
    assert.equal((await sessionRow(victim.session.id)).revokedReason, 'logout', 'the __Host- access cookie cannot be planted');
  });
});

describe('cookie tossing against sign-in', () => {
  test('cookie tossing: sign-in with a planted second refresh cookie is refused, ends no session, and clears the app cookies', async () => {
    const { victim, attacker } = await victimAndAttacker();
    const user = await createUser();
    const sessionsBefore = await db().session.count({ where: { userId: user.id } });
    const [pairs] = bothOrders(victim.refreshToken, attacker.refreshToken);
    const response = await login(
      apiRequest('/api/auth/login', { headers: { cookie: cookieHeader(pairs) }, body: { email: user.email, password: PASSWORD } }),
    );
    assert.equal(response.status, 400);
    assert.deepEqual(await response.json(), { error: CONFLICTING_SESSION_COOKIES });
    assertAppCookiesCleared(response);
    assert.equal(await db().session.count({ where: { userId: user.id } }), sessionsBefore, 'no session created');
    assert.equal((await sessionRow(victim.session.id)).revokedAt, null, 'no session ended on a guess');
    assert.equal((await sessionRow(attacker.session.id)).revokedAt, null);

    // After the app's cookies are cleared, the planted one is all that is left: sign-in then works.
    const retry = await login(
      apiRequest('/api/auth/login', {
        headers: { cookie: cookieHeader([[names.refresh, attacker.refreshToken]]) },
        body: { email: user.email, password: PASSWORD },
      }),
    );
    assert.equal(retry.status, 200);
  });
});
