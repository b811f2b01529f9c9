/**
 * COOKIE_SECURE=false, for a plain-http host that is not localhost: the cookies lose `Secure` and with
 * it the `__Host-` / `__Secure-` prefixes (browsers refuse a prefixed cookie without `Secure`), and
 * keep every other attribute. A file of its own because configuration is read once per process.
 */
// database: sqlite-only — cookie attributes are written by JavaScript; the database only holds the sessions behind them
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';
import { apiRequest, assertCookie, secondsUntil, setCookies } from '../helpers/http';

process.env.COOKIE_SECURE = 'false';

const { NextResponse } = await import('next/server');
const { createUser, PASSWORD } = await import('../helpers/fixtures');
const { clearSessionCookies, cookieNames, setAccessTokenCookie, setRefreshTokenCookie } = await import('../../lib/tokens/cookies');
const { POST: login } = await import('../../app/api/auth/login/route');
const { db } = await import('../../lib/db/client');

useTestDatabase();

describe('COOKIE_SECURE=false', () => {
  test('unprefixed names', () => {
    assert.deepEqual(cookieNames(), { access: 'access_token', refresh: 'refresh_token', hint: 'session_hint' });
  });

  test('the writers: no Secure, every other attribute as with it', () => {
    const now = new Date();
    const response = NextResponse.json({});
    setAccessTokenCookie(response.cookies, 'a.b.c', new Date(now.getTime() + 300_000), now);
    setRefreshTokenCookie(response.cookies, 'refresh', new Date(now.getTime() + 1_000_000), now);
    const cookies = setCookies(response);
    assertCookie(cookies.get('access_token'), { name: 'access_token', value: 'a.b.c', path: '/', maxAge: 300, secure: false });
    assertCookie(cookies.get('refresh_token'), { name: 'refresh_token', value: 'refresh', path: '/api/auth', maxAge: 1_000, secure: false });
    assertCookie(cookies.get('session_hint'), { name: 'session_hint', value: '1', path: '/', maxAge: 1_000, secure: false });

    const cleared = NextResponse.json({});
    clearSessionCookies(cleared.cookies);
    const deletions = setCookies(cleared);
    assertCookie(deletions.get('access_token'), { name: 'access_token', value: '', path: '/', maxAge: 0, secure: false });
    assertCookie(deletions.get('refresh_token'), { name: 'refresh_token', value: '', path: '/api/auth', maxAge: 0, secure: false });
    assertCookie(deletions.get('session_hint'), { name: 'session_hint', value: '', path: '/', maxAge: 0, secure: false });
  });

  test('POST /api/auth/login sets the unprefixed cookies, none of them prefixed', async () => {
    const user = await createUser();
    const before = Date.now();
    const response = await login(apiRequest('/api/auth/login', { body: { email: user.email, password: PASSWORD } }));
    const after = Date.now();
    assert.equal(response.status, 200);
    const session = await db().session.findFirstOrThrow({ where: { userId: user.id } });
    const cookies = setCookies(response);
    assert.deepEqual([...cookies.keys()].sort(), ['access_token', 'refresh_token', 'session_hint']);
    assertCookie(cookies.get('access_token'), { name: 'access_token', path: '/', maxAge: 300, secure: false });
    // The session's own deadline, as the secure variant checks: a slow sign-in shortens Max-Age.
    const untilExpiry = secondsUntil(session.expiresAt, before, after);
    assertCookie(cookies.get('refresh_token'), { name: 'refresh_token', path: '/api/auth', maxAge: untilExpiry, secure: false });
    assertCookie(cookies.get('session_hint'), { name: 'session_hint', value: '1', path: '/', maxAge: untilExpiry, secure: false });
  });
});
