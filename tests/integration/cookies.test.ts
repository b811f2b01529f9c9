/**
 * Every session cookie, attribute by attribute, as the browser receives it (ASVS 3.3.1-3.3.4, RFC
 * 6265bis prefixes): the `Set-Cookie` lines of a real `NextResponse`, written first by the cookie
 * writers themselves, then by the real login, refresh, logout and password-change paths.
 *
 * What each attribute stops: HttpOnly, script reading the tokens (XSS); Secure and the `__Host-` /
 * `__Secure-` prefixes, the cookies travelling over plain http and a sibling subdomain planting its
 * own (the prefixes also forbid Domain); SameSite=Lax, cross-site POSTs carrying them; Path=/api/auth,
 * the refresh token travelling with every page and API request; Max-Age, a cookie outliving its token.
 * A deletion must repeat the attributes, or browsers ignore it for prefixed names.
 *
 * COOKIE_SECURE=false is in cookies-insecure.test.ts: configuration is read once per process.
 */
// database: sqlite-only — cookie attributes are written by JavaScript; the database only holds the sessions behind them
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NextResponse } from 'next/server';
import { useTestDatabase } from '../helpers/database';
import { createUser, formData, meta, PASSWORD, secondsLater, signedInUser } from '../helpers/fixtures';
import { apiRequest, assertCookie, setCookies, secondsUntil } from '../helpers/http';
import { db } from '../../lib/db/client';
import { signAccessToken } from '../../lib/tokens/access-token';
import { clearSessionCookies, cookieNames, setAccessTokenCookie, setRefreshTokenCookie } from '../../lib/tokens/cookies';
import { changePasswordDefinition } from '../../lib/sensitive-actions/change-password-action';
import { runSensitiveAction } from '../../lib/sensitive-actions/checked-action';
import { rotateRefreshToken } from '../../lib/session/rotate-refresh-token';
import { POST as login } from '../../app/api/auth/login/route';
import { POST as logout } from '../../app/api/auth/logout/route';
import { GET as renewByNavigation, POST as refresh } from '../../app/api/auth/refresh/route';

useTestDatabase();

const ACCESS = '__Host-access_token';
const REFRESH = '__Secure-refresh_token';
const HINT = '__Host-session_hint';
const SIGNED_OUT = '__Host-signed_out';
const TTL = 300; // ACCESS_TOKEN_TTL_SECONDS in tests/helpers/integration-setup.ts

/** The three deletions, each with the attributes of the cookie it deletes. */
function assertCleared(cookies: Map<string, ReturnType<typeof setCookies> extends Map<string, infer C> ? C : never>) {
  assert.deepEqual([...cookies.keys()].sort(), [ACCESS, HINT, REFRESH].sort(), 'exactly the three session cookies');
  assertCookie(cookies.get(ACCESS), { name: ACCESS, value: '', path: '/', maxAge: 0, secure: true });
  assertCookie(cookies.get(REFRESH), { name: REFRESH, value: '', path: '/api/auth', maxAge: 0, secure: true });
  assertCookie(cookies.get(HINT), { name: HINT, value: '', path: '/', maxAge: 0, secure: true });
}

/** Seconds from the moment a handler ran to `expiresAt`, as its Max-Age may round them. */
describe('the cookie writers (lib/tokens/cookies.ts) on a real NextResponse', () => {
  test('names carry the __Host- / __Secure- prefixes', () => {
    assert.deepEqual(cookieNames(), { access: ACCESS, refresh: REFRESH, hint: HINT });
  });

  test('access token: HttpOnly, Secure, SameSite=Lax, Path=/, Max-Age = the token lifetime, no Domain', () => {
    const now = new Date('2026-05-01T10:00:00.250Z');
    const response = NextResponse.json({});
    setAccessTokenCookie(response.cookies, 'the.access.token', secondsLater(now, TTL), now);
    const cookies = setCookies(response);
    assert.deepEqual([...cookies.keys()], [ACCESS]);
    assertCookie(cookies.get(ACCESS), { name: ACCESS, value: 'the.access.token', path: '/', maxAge: TTL, secure: true });
  });

  test('refresh token and hint: Path=/api/auth for the token, Path=/ for the hint, both until the session’s absolute expiry', () => {
    const now = new Date('2026-05-01T10:00:00Z');
    const sessionEnds = secondsLater(now, 12_345);
    const response = NextResponse.json({});
    setRefreshTokenCookie(response.cookies, 'the-refresh-token', sessionEnds, now);
    const cookies = setCookies(response);
    assert.deepEqual([...cookies.keys()].sort(), [HINT, REFRESH].sort());
    assertCookie(cookies.get(REFRESH), { name: REFRESH, value: 'the-refresh-token', path: '/api/auth', maxAge: 12_345, secure: true });
    assertCookie(cookies.get(HINT), { name: HINT, value: '1', path: '/', maxAge: 12_345, secure: true });
  });

  test('a session already past its expiry gets Max-Age=0, never a negative or missing one (a session cookie)', () => {
    const now = new Date('2026-05-01T10:00:00Z');
    const response = NextResponse.json({});
    setRefreshTokenCookie(response.cookies, 'late', secondsLater(now, -5), now);
    assert.equal(setCookies(response).get(REFRESH)?.attributes['max-age'], '0');
  });

  test('clearing: every cookie re-set with its own attributes, an empty value and Max-Age=0', () => {
    const response = NextResponse.json({});
    clearSessionCookies(response.cookies);
    assertCleared(setCookies(response));
  });
});

describe('the cookies the real handlers send', () => {
  test('POST /api/auth/login', async () => {
    const user = await createUser();
    const before = Date.now();
    const response = await login(apiRequest('/api/auth/login', { body: { email: user.email, password: PASSWORD } }));
    const after = Date.now();
    assert.equal(response.status, 200);
    const session = await db().session.findFirstOrThrow({ where: { userId: user.id } });
    const cookies = setCookies(response);
    assert.deepEqual([...cookies.keys()].sort(), [ACCESS, HINT, REFRESH].sort());
    assertCookie(cookies.get(ACCESS), { name: ACCESS, path: '/', maxAge: TTL, secure: true });
    const untilExpiry = secondsUntil(session.expiresAt, before, after);
    assertCookie(cookies.get(REFRESH), { name: REFRESH, path: '/api/auth', maxAge: untilExpiry, secure: true });
    assertCookie(cookies.get(HINT), { name: HINT, value: '1', path: '/', maxAge: untilExpiry, secure: true });
  });

  test('POST /api/auth/refresh: the refresh cookie lives until the absolute expiry fixed at sign-in, not a fresh full term', async () => {
    // Signed in ten minutes ago: a fresh full term would be 600 s longer than what is left.
    const { session, refreshToken } = await signedInUser(new Date(Date.now() - 600_000));
    const before = Date.now();
    const response = await refresh(apiRequest('/api/auth/refresh', { cookies: { [REFRESH]: refreshToken } }));
    const after = Date.now();
    assert.equal(response.status, 200);
    const cookies = setCookies(response);
    assert.deepEqual([...cookies.keys()].sort(), [ACCESS, HINT, REFRESH].sort());
    assertCookie(cookies.get(ACCESS), { name: ACCESS, path: '/', maxAge: TTL, secure: true });
    const untilExpiry = secondsUntil(session.expiresAt, before, after);
    assert.ok(untilExpiry[1] <= 86_400 - 599, 'less than a full term is left');
    assertCookie(cookies.get(REFRESH), { name: REFRESH, path: '/api/auth', maxAge: untilExpiry, secure: true });
    assertCookie(cookies.get(HINT), { name: HINT, value: '1', path: '/', maxAge: untilExpiry, secure: true });
  });

  test('GET /api/auth/refresh (the renewal hop): the same attributes on the redirect', async () => {
    const { session, refreshToken } = await signedInUser(new Date());
    const before = Date.now();
    const response = await renewByNavigation(
      apiRequest('/api/auth/refresh?next=%2Fdashboard', {
        method: 'GET',
        origin: undefined,
        cookies: { [REFRESH]: refreshToken },
        headers: { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'navigate' },
      }),
    );
    const after = Date.now();
    assert.equal(response.status, 303);
    const cookies = setCookies(response);
    assertCookie(cookies.get(ACCESS), { name: ACCESS, path: '/', maxAge: TTL, secure: true });
    const untilExpiry = secondsUntil(session.expiresAt, before, after);
    assertCookie(cookies.get(REFRESH), { name: REFRESH, path: '/api/auth', maxAge: untilExpiry, secure: true });
    assertCookie(cookies.get(HINT), { name: HINT, value: '1', path: '/', maxAge: untilExpiry, secure: true });
  });

  test('POST /api/auth/logout clears each cookie with its own attributes', async () => {
    const browser = await signedInUser(new Date());
    const response = await logout(apiRequest('/api/auth/logout', { cookies: { [REFRESH]: browser.refreshToken, [ACCESS]: browser.accessToken } }));
    assert.equal(response.status, 200);
    assertCleared(setCookies(response));
  });

  test('a reused refresh token: the 401 clears each cookie with its own attributes', async () => {
    const { refreshToken } = await signedInUser(new Date(Date.now() - 60_000));
    assert.equal((await rotateRefreshToken(refreshToken, meta, new Date(Date.now() - 30_000))).status, 'rotated');
    const response = await refresh(apiRequest('/api/auth/refresh', { cookies: { [REFRESH]: refreshToken } }));
    assert.equal(response.status, 401);
    const cookies = setCookies(response);
    // Why the session ended, for the sign-in page: host-only, HttpOnly, two minutes (lib/session/signed-out-reason.ts).
    assertCookie(cookies.get(SIGNED_OUT), { name: SIGNED_OUT, value: 'refresh_token_reuse', path: '/', maxAge: 120, secure: true });
    cookies.delete(SIGNED_OUT);
    assertCleared(cookies);
  });

  test('a password change (server action) re-issues both tokens with the same attributes', async () => {
    const alice = await signedInUser(new Date());
    const now = new Date();
    const access = await signAccessToken({ userId: alice.user.id, email: alice.user.email, sessionId: alice.session.id }, now);
    // Server actions write through `await cookies()`; a NextResponse's cookie jar serialises the same way.
    const response = NextResponse.json({});
    const result = await runSensitiveAction(
      changePasswordDefinition,
      {
        headers: new Headers({ origin: 'http://localhost:3000', host: 'localhost:3000' }),
        accessToken: access.token,
        mayRenew: true,
        cookies: response.cookies,
        now,
      },
      formData({ currentPassword: PASSWORD, newPassword: 'another long passphrase', confirmPassword: 'another long passphrase' }),
    );
    assert.equal(result.status, 'success', JSON.stringify(result));
    const cookies = setCookies(response);
    assert.deepEqual([...cookies.keys()].sort(), [ACCESS, HINT, REFRESH].sort());
    assertCookie(cookies.get(ACCESS), { name: ACCESS, path: '/', maxAge: TTL, secure: true });
    const untilExpiry = Math.ceil((alice.session.expiresAt.getTime() - now.getTime()) / 1000);
    assertCookie(cookies.get(REFRESH), { name: REFRESH, path: '/api/auth', maxAge: untilExpiry, secure: true });
    assertCookie(cookies.get(HINT), { name: HINT, value: '1', path: '/', maxAge: untilExpiry, secure: true });
  });
});
