/**
 * The auth route handlers, called directly the way Next.js calls them (a real `NextRequest` in, a
 * real response out), with no proxy and no server: what a browser or an attacker gets back, status,
 * Location and Set-Cookie, and what changed in the database.
 *
 * The handlers use the real clock, so every session here is created "now".
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';
import { createUser, meta, PASSWORD, signedInUser } from '../helpers/fixtures';
import { APP_ORIGIN, apiRequest, redirectTarget, setCookies } from '../helpers/http';
import { db } from '../../lib/db/client';
import { INVALID_CREDENTIALS, SESSION_ENDED, SIGNUP_DONE } from '../../lib/forms/messages';
import { verifyAccessToken } from '../../lib/tokens/access-token';
import { cookieNames, signedOutReasonCookieName } from '../../lib/tokens/cookies';
import { rotateRefreshToken } from '../../lib/session/rotate-refresh-token';
import { revokeSession } from '../../lib/session/session-store';
import { hashRefreshToken } from '../../lib/tokens/refresh-token';
import { POST as login } from '../../app/api/auth/login/route';
import { POST as logout } from '../../app/api/auth/logout/route';
import { GET as renewByNavigation, HEAD as refreshHead, POST as refresh } from '../../app/api/auth/refresh/route';
import { POST as signup } from '../../app/api/auth/signup/route';

useTestDatabase();

const names = cookieNames();

/** The three session cookies, each cleared (empty value, Max-Age=0), as a sign-out must leave them. */
/** The three session cookies cleared; with `signedOutReason`, also the reason the sign-in page will give. */
function assertCookiesCleared(response: Response, signedOutReason?: string) {
  const cookies = setCookies(response);
  if (signedOutReason !== undefined) {
    assert.equal(cookies.get(signedOutReasonCookieName())?.value, signedOutReason, 'the sign-in page is told why');
    cookies.delete(signedOutReasonCookieName());
  }
  assert.deepEqual([...cookies.keys()].sort(), [names.access, names.hint, names.refresh].sort());
  for (const cookie of cookies.values()) {
    assert.equal(cookie.value, '', `${cookie.name} is emptied`);
    assert.equal(cookie.attributes['max-age'], '0', `${cookie.name} expires now`);
  }
}

function assertNoCookies(response: Response, why: string) {
  assert.deepEqual([...setCookies(response).keys()], [], why);
}

/** The Location a browser follows stays on this origin, as a plain path (not `//host`, not `/\host`). */
function assertSameOriginPath(location: string | null, what: string) {
  assert.ok(location !== null, `${what}: a Location`);
  assert.ok(location.startsWith('/') && location[1] !== '/' && location[1] !== '\\', `${what}: ${location} is a plain path`);
  assert.equal(new URL(location, `${APP_ORIGIN}/api/auth/refresh`).origin, APP_ORIGIN, `${what}: ${location} stays on ${APP_ORIGIN}`);
}

function sessionCount(userId: string) {
  return db().session.count({ where: { userId } });
}

/**
 * The renewal hop as the browser makes it after the proxy's redirect of a same-origin page load: a
 * top-level navigation (no Origin on a GET, Fetch Metadata says same-origin).
 */
function hop(query: string, cookies: Record<string, string> = {}) {
  return renewByNavigation(
    apiRequest(`/api/auth/refresh?${query}`, {
      method: 'GET',
      origin: undefined,
      cookies,
      headers: { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' },
    }),
  );
}

/** The renewal page's form post (a navigation from the app's own page) to /api/auth/refresh?next=…. */
function formRenewal(query: string, cookies: Record<string, string> = {}) {
  return refresh(
    apiRequest(`/api/auth/refresh?${query}`, {
      cookies,
      headers: { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'navigate', accept: 'text/html' },
    }),
  );
}

/** A user signed in a moment ago, with the cookies their browser holds. */
async function browserSession() {
  const signedIn = await signedInUser(new Date());
  return {
    ...signedIn,
    cookies: { [names.access]: signedIn.accessToken, [names.refresh]: signedIn.refreshToken, [names.hint]: '1' },
  };
}

describe('GET /api/auth/refresh?next=…: the renewal hop never leaves the site (CWE-601)', () => {
  // Raw query strings, as an attacker would put them in a link; the comment says what `next` decodes to.
  const hostile = [
    'next=https://evil.example/phish',
    'next=https%3A%2F%2Fevil.example%2Fphish',
    'next=HTTPS://EVIL.EXAMPLE',
    'next=http://localhost:3000.evil.example/',
    'next=//evil.example',
    'next=%2F%2Fevil.example', // //evil.example
    'next=/%2F%2Fevil.example', // ///evil.example
    'next=%252F%252Fevil.example', // %2F%2Fevil.example: not a path at all
    'next=/%5Cevil.example', // /\evil.example
    'next=%5C%5Cevil.example', // \\evil.example
    'next=/%09/evil.example', // a tab, which URL parsing strips: //evil.example
    'next=/.//evil.example', // normalises to //evil.example
    'next=/%2e%2e//evil.example', // likewise
    'next=https:evil.example', // parses as https://evil.example/
    'next=javascript:alert(document.cookie)',
    'next=/api/auth/logout', // not off-site, but never bounce into the API
    'next=',
    '',
  ];

  for (const query of hostile) {
    test(`a successful renewal with ${JSON.stringify(query)} lands on /dashboard`, async () => {
      const browser = await browserSession();
      const response = await hop(query, { [names.refresh]: browser.refreshToken });
      assert.equal(response.status, 303);
      assert.equal(response.headers.get('location'), '/dashboard');
      assert.ok(setCookies(response).get(names.refresh)?.value, 'the renewal did happen (new refresh cookie)');
    });

    test(`a failed renewal with ${JSON.stringify(query)} lands on /login?next=%2Fdashboard`, async () => {
      const response = await hop(query);
      assert.equal(response.status, 303);
      assert.equal(response.headers.get('location'), '/login?next=%2Fdashboard');
    });

    test(`the renewal page's form post with ${JSON.stringify(query)} lands on /dashboard, or /login?next=%2Fdashboard`, async () => {
      const browser = await browserSession();
      const renewed = await formRenewal(query, { [names.refresh]: browser.refreshToken });
      assert.equal(renewed.status, 303);
      assert.equal(renewed.headers.get('location'), '/dashboard');
      assert.ok(setCookies(renewed).get(names.refresh)?.value, 'the renewal did happen (new refresh cookie)');
      const failed = await formRenewal(query);
      assert.equal(failed.status, 303);
      assert.equal(failed.headers.get('location'), '/login?next=%2Fdashboard');
    });
  }

  // Same-origin paths that merely look odd are kept, and must still resolve on this origin.
  const onSite: Array<[string, string]> = [
    ['next=%2Fpayments%3Ftab%3Dhistory', '/payments?tab=history'],
    ['next=/settings/password%23form', '/settings/password#form'],
    ['next=/%252F%252Fevil.example', '/%2F%2Fevil.example'], // a path segment with encoded slashes
    ['next=/x/../payments', '/payments'],
  ];
  for (const [query, expected] of onSite) {
    test(`${JSON.stringify(query)} is kept as the on-site path ${expected}, success or not`, async () => {
      const browser = await browserSession();
      const renewed = await hop(query, { [names.refresh]: browser.refreshToken });
      assert.equal(renewed.status, 303);
      assert.equal(renewed.headers.get('location'), expected);
      assertSameOriginPath(renewed.headers.get('location'), 'after renewal');

      const failed = await hop(query);
      const target = redirectTarget(failed);
      assert.equal(target.origin + target.pathname, `${APP_ORIGIN}/login`);
      assert.equal(target.searchParams.get('next'), expected);
      assertSameOriginPath(target.searchParams.get('next'), 'after sign-in');
    });
  }

  test('a reused token on the hop: to the login form with the page remembered, every cookie cleared', async () => {
    const signInAt = new Date(Date.now() - 60_000);
    const { refreshToken, session } = await signedInUser(signInAt);
    // Rotated 30 s ago, well past the 10 s grace window: presenting it again is reuse.
    const rotated = await rotateRefreshToken(refreshToken, meta, new Date(Date.now() - 30_000));
    assert.equal(rotated.status, 'rotated');
    const response = await hop('next=%2Fpayments', { [names.refresh]: refreshToken });
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), '/login?next=%2Fpayments');
    assertCookiesCleared(response, 'refresh_token_reuse');
    assert.equal((await db().session.findUniqueOrThrow({ where: { id: session.id } })).revokedReason, 'refresh_token_reuse');
  });

  test('HEAD is 405 and rotates nothing (Next.js would otherwise run GET for it)', async () => {
    const browser = await browserSession();
    const response = refreshHead();
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'GET, POST');
    assertNoCookies(response, 'HEAD sets no cookie');
    const row = await db().refreshToken.findFirstOrThrow({ where: { sessionId: browser.session.id } });
    assert.equal(row.rotatedAt, null, 'the token is still unused');
  });
});

describe('state-changing auth endpoints refuse cross-origin requests with 403 (CSRF, ASVS 3.5.3)', () => {
  const refusedOrigins: Array<[string, string | undefined]> = [
    ['no Origin header', undefined],
    ['Origin: null (sandboxed iframe, file:)', 'null'],
    ['another site', 'https://evil.example'],
    ['another port of the same host', 'http://localhost:3001'],
    ['a host that merely starts like ours', 'http://localhost:3000.evil.example'],
  ];

  for (const [name, origin] of refusedOrigins) {
    test(`login from ${name}: 403, no session, no cookie (login CSRF)`, async () => {
      const user = await createUser();
      const response = await login(apiRequest('/api/auth/login', { origin, body: { email: user.email, password: PASSWORD } }));
      assert.equal(response.status, 403);
      assertNoCookies(response, 'no session cookies for the attacker’s page to plant');
      assert.equal(await sessionCount(user.id), 0, 'no session was created');
      // The control: the same request from the app's own page signs in.
      assert.equal((await login(apiRequest('/api/auth/login', { body: { email: user.email, password: PASSWORD } }))).status, 200);
    });

    test(`signup from ${name}: 403, no account`, async () => {
      const email = `csrf-${randomUUID()}@example.com`;
      const body = { email, password: 'long enough password here' };
      const response = await signup(apiRequest('/api/auth/signup', { origin, body }));
      assert.equal(response.status, 403);
      assert.equal(await db().user.count({ where: { email } }), 0, 'no account was created');
      assert.equal((await signup(apiRequest('/api/auth/signup', { body }))).status, 201, 'control: same-origin signup works');
    });

    test(`logout from ${name}: 403, the session lives on and no cookie is cleared (logout CSRF)`, async () => {
      const browser = await browserSession();
      const response = await logout(apiRequest('/api/auth/logout', { origin, cookies: browser.cookies }));
      assert.equal(response.status, 403);
      assertNoCookies(response, 'the browser keeps its cookies');
      assert.equal((await db().session.findUniqueOrThrow({ where: { id: browser.session.id } })).revokedAt, null);
      assert.equal((await logout(apiRequest('/api/auth/logout', { cookies: browser.cookies }))).status, 200, 'control');
    });

    test(`refresh POST from ${name}: 403, the token is not rotated`, async () => {
      const browser = await browserSession();
      const response = await refresh(apiRequest('/api/auth/refresh', { origin, cookies: browser.cookies }));
      assert.equal(response.status, 403);
      assertNoCookies(response, 'no cookie');
      const row = await db().refreshToken.findFirstOrThrow({ where: { sessionId: browser.session.id } });
      assert.equal(row.rotatedAt, null, 'the refresh token was not consumed');
      assert.equal((await refresh(apiRequest('/api/auth/refresh', { cookies: browser.cookies }))).status, 200, 'control');
    });
  }
});

describe('POST /api/auth/login', () => {
  test('the right password: 200, who signed in, and the three session cookies for a new session', async () => {
    const user = await createUser();
    const response = await login(apiRequest('/api/auth/login', { body: { email: user.email, password: PASSWORD } }));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const body = await response.json();
    assert.deepEqual(body.user, { id: user.id, email: user.email });
    const cookies = setCookies(response);
    assert.deepEqual([...cookies.keys()].sort(), [names.access, names.hint, names.refresh].sort());
    const verified = await verifyAccessToken(cookies.get(names.access)!.value);
    assert.ok(verified.ok, 'the access cookie holds a valid token');
    assert.equal(verified.claims.userId, user.id);
    assert.equal(body.accessTokenExpiresAt, verified.claims.expiresAt.toISOString());
    const rotated = await rotateRefreshToken(cookies.get(names.refresh)!.value, meta);
    assert.equal(rotated.status === 'rotated' && rotated.sessionId, verified.claims.sessionId, 'the refresh cookie belongs to that session');
  });

  test('a wrong password and an unknown email: the same 401, no cookie, no session', async () => {
    const user = await createUser();
    const wrong = await login(apiRequest('/api/auth/login', { body: { email: user.email, password: 'not the password at all' } }));
    const unknown = await login(apiRequest('/api/auth/login', { body: { email: `nobody-${randomUUID()}@example.com`, password: PASSWORD } }));
    for (const response of [wrong, unknown]) {
      assert.equal(response.status, 401);
      assert.deepEqual(await response.json(), { error: INVALID_CREDENTIALS });
      assertNoCookies(response, 'a failed sign-in sets no cookie');
    }
    assert.equal(await sessionCount(user.id), 0);
  });

  test('after 5 wrong passwords even the right one gets 429 with Retry-After, and no cookie', async () => {
    const user = await createUser();
    for (let i = 0; i < 5; i++) {
      assert.equal((await login(apiRequest('/api/auth/login', { body: { email: user.email, password: `guess ${i}` } }))).status, 401);
    }
    const response = await login(apiRequest('/api/auth/login', { body: { email: user.email, password: PASSWORD } }));
    assert.equal(response.status, 429);
    const wait = Number(response.headers.get('retry-after'));
    assert.ok(wait > 0, 'Retry-After in seconds');
    // The message says the same wait in words, not "try again later".
    assert.deepEqual(await response.clone().json(), { error: `Too many failed attempts. Try again in ${Math.ceil(wait / 60)} minutes.` });
    assertNoCookies(response, 'no session while locked');
    assert.equal(await sessionCount(user.id), 0);
  });

  test('malformed JSON and missing fields: 400, no cookie', async () => {
    for (const body of ['{"email":', JSON.stringify({ email: 'not-an-email' })]) {
      const response = await login(apiRequest('/api/auth/login', { body }));
      assert.equal(response.status, 400);
      assertNoCookies(response, 'no cookie');
    }
  });
});

describe('POST /api/auth/refresh', () => {
  test('a live token: 200 with a new access cookie and the successor refresh cookie; the old one is spent', async () => {
    const browser = await browserSession();
    const response = await refresh(apiRequest('/api/auth/refresh', { cookies: browser.cookies }));
    assert.equal(response.status, 200);
    const cookies = setCookies(response);
    assert.deepEqual([...cookies.keys()].sort(), [names.access, names.hint, names.refresh].sort());
    assert.notEqual(cookies.get(names.refresh)!.value, browser.refreshToken);
    const verified = await verifyAccessToken(cookies.get(names.access)!.value);
    assert.ok(verified.ok && verified.claims.sessionId === browser.session.id);
    const body = await response.json();
    assert.equal(body.accessTokenExpiresAt, verified.claims.expiresAt.toISOString());
    // What the dashboard redraws its session clock from (lib/client/session-clock.ts).
    assert.equal(body.accessTokenIssuedAt, verified.claims.issuedAt.toISOString());
    assert.equal(body.sessionId, browser.session.id);
    const row = await db().session.findUniqueOrThrow({ where: { id: browser.session.id } });
    const rotation = await db().refreshToken.findFirstOrThrow({ where: { sessionId: browser.session.id, rotatedAt: { not: null } } });
    assert.equal(body.session.state, 'active');
    assert.equal(body.session.rotations, 1);
    assert.equal(body.session.lastRotatedAt, rotation.rotatedAt!.toISOString());
    assert.equal(body.session.absoluteExpiresAt, row.expiresAt.toISOString());
    const idleSeconds = Number(process.env.SESSION_IDLE_TIMEOUT_SECONDS);
    // The idle deadline runs from this renewal, not from sign-in.
    assert.equal(body.session.idleExpiresAt, new Date(rotation.rotatedAt!.getTime() + idleSeconds * 1000).toISOString());
    assert.equal(row.lastActiveAt.toISOString(), rotation.rotatedAt!.toISOString());
    assert.equal(JSON.stringify(body).includes(cookies.get(names.refresh)!.value), false, 'no token in the body');
    assert.equal(JSON.stringify(body).includes(browser.refreshToken), false, 'no token in the body');
  });

  test('an unknown token or none at all: 401 and the cookies left alone (a racing response may have set newer ones)', async () => {
    const browser = await browserSession();
    for (const cookies of [{ [names.refresh]: 'A'.repeat(43), [names.hint]: '1' }, {}]) {
      const response = await refresh(apiRequest('/api/auth/refresh', { cookies }));
      assert.equal(response.status, 401);
      assert.deepEqual(await response.json(), { error: SESSION_ENDED });
      assertNoCookies(response, 'nothing is cleared');
    }
    assert.equal((await db().session.findUniqueOrThrow({ where: { id: browser.session.id } })).revokedAt, null);
  });

  test('a reused token: 401, every cookie cleared, the whole session revoked (RFC 9700 4.14.2)', async () => {
    const { refreshToken, session } = await signedInUser(new Date(Date.now() - 60_000));
    const successor = await rotateRefreshToken(refreshToken, meta, new Date(Date.now() - 30_000));
    assert.equal(successor.status, 'rotated');
    const response = await refresh(apiRequest('/api/auth/refresh', { cookies: { [names.refresh]: refreshToken } }));
    assert.equal(response.status, 401);
    assertCookiesCleared(response, 'refresh_token_reuse');
    assert.equal((await db().session.findUniqueOrThrow({ where: { id: session.id } })).revokedReason, 'refresh_token_reuse');
    const thief = await refresh(
      apiRequest('/api/auth/refresh', { cookies: { [names.refresh]: successor.status === 'rotated' ? successor.refreshToken.token : '' } }),
    );
    assert.equal(thief.status, 401, 'the successor is dead too');
  });

  // REFUSALS (lib/session/rotation-decision.ts): 'revoked', 'idle_expired', 'absolute_expired' clear the cookies.
  test('a browser whose session was signed out elsewhere gets 401 and its cookies cleared (the access token stops reading too)', async () => {
    const { session, refreshToken, accessToken } = await signedInUser();
    await revokeSession(session.id, 'revoked_by_user');
    const response = await refresh(apiRequest('/api/auth/refresh', { cookies: { [names.refresh]: refreshToken, [names.access]: accessToken } }));
    assert.equal(response.status, 401);
    const cookies = setCookies(response);
    for (const name of [names.access, names.refresh, names.hint]) {
      assert.equal(cookies.get(name)?.value, '', `${name} cleared`);
      assert.equal(cookies.get(name)?.attributes['max-age'], '0', `${name} expires now`);
    }
    // The token was not rotated or otherwise touched.
    const row = await db().refreshToken.findUniqueOrThrow({ where: { tokenHash: hashRefreshToken(refreshToken) } });
    assert.equal(row.rotatedAt, null);
  });

  test('an idle-expired session: 401 and cookies cleared', async () => {
    const { refreshToken } = await signedInUser(new Date(Date.now() - 3_600_000 - 60_000));
    const response = await refresh(apiRequest('/api/auth/refresh', { cookies: { [names.refresh]: refreshToken } }));
    assert.equal(response.status, 401);
    assert.equal(setCookies(response).get(names.refresh)?.attributes['max-age'], '0');
  });
});

describe('POST /api/auth/logout', () => {
  test('fetch: 200 {ok:true}, every cookie cleared, the session revoked so its refresh token is dead', async () => {
    const browser = await browserSession();
    const response = await logout(apiRequest('/api/auth/logout', { cookies: browser.cookies }));
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { ok: true });
    assertCookiesCleared(response);
    assert.equal((await db().session.findUniqueOrThrow({ where: { id: browser.session.id } })).revokedReason, 'logout');
    assert.equal((await refresh(apiRequest('/api/auth/refresh', { cookies: browser.cookies }))).status, 401);
  });

  test('a form post (navigation): 303 to the login page, cookies cleared; again without cookies, still fine', async () => {
    const browser = await browserSession();
    const response = await logout(apiRequest('/api/auth/logout', { cookies: browser.cookies, headers: { 'sec-fetch-mode': 'navigate' } }));
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), '/login?signedOut=1');
    assertCookiesCleared(response);
    const again = await logout(apiRequest('/api/auth/logout'));
    assert.equal(again.status, 200, 'idempotent');
    assertCookiesCleared(again);
  });
});

describe('POST /api/auth/signup', () => {
  test('a new and an existing email: the same 201 and body, no cookie (no account enumeration)', async () => {
    const existing = await createUser();
    const fresh = await signup(apiRequest('/api/auth/signup', { body: { email: `new-${randomUUID()}@example.com`, password: 'long enough password here' } }));
    const taken = await signup(apiRequest('/api/auth/signup', { body: { email: existing.email, password: 'long enough password here' } }));
    for (const response of [fresh, taken]) {
      assert.equal(response.status, 201);
      assert.deepEqual(await response.json(), { message: SIGNUP_DONE });
      assertNoCookies(response, 'signup signs nobody in');
    }
  });

  test('a password under 12 characters: 400 with a field error', async () => {
    const response = await signup(apiRequest('/api/auth/signup', { body: { email: `new-${randomUUID()}@example.com`, password: 'short' } }));
    assert.equal(response.status, 400);
    assert.ok((await response.json()).fieldErrors?.password, 'the password field is flagged');
  });
});
