/**
 * Sessions are bounded (finding: one client with a valid password made 150 sessions in 13 s, each
 * adding a session, a refresh token and an event row, and /sessions grew to 154 KB):
 * - at most MAX_SESSIONS_PER_USER live sessions per account: a sign-in over it ends the ones unused
 *   the longest (reason `session_limit`), tells their browsers why and records it on /activity;
 * - at most SIGNIN_ACCOUNT_MAX_SUCCESSES / SIGNIN_IP_MAX_SUCCESSES successful sign-ins per window,
 *   counted in the database: 429 with Retry-After beyond.
 * Concurrency is decided by the database (the user's row is locked), so it holds across instances and
 * on PostgreSQL (`npm run test:postgres` runs this file there too).
 *
 *   node --conditions=react-server --import tsx --import ./tests/helpers/integration-setup.ts --test tests/integration/session-limits.test.ts
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';

process.env.MAX_SESSIONS_PER_USER = '5';
process.env.SIGNIN_ACCOUNT_MAX_SUCCESSES = '25';
process.env.SIGNIN_IP_MAX_SUCCESSES = '25';
process.env.SIGNIN_SUCCESS_WINDOW_SECONDS = '900';
// A password check reserves a guess per email before hashing (lib/limits/rate-limit.ts): with the
// default of 5, a burst of 20 correct sign-ins is refused as guessing before any session is made.
// Raised here so that the 20 parallel sign-ins below all reach the session cap.
process.env.LOGIN_MAX_FAILURES = '50';
// And the 20 password checks must all find room in this process's hashing queue (default 16).
process.env.PASSWORD_HASH_QUEUE = '32';

const { createUser, PASSWORD } = await import('../helpers/fixtures');
const { apiRequest, setCookies } = await import('../helpers/http');
const { POST: login } = await import('../../app/api/auth/login/route');
const { POST: refresh } = await import('../../app/api/auth/refresh/route');
const { securityEventLabel } = await import('../../lib/audit/event-labels');
const { signIn } = await import('../../lib/auth/sign-in');
const { db } = await import('../../lib/db/client');
const { cookieNames, signedOutReasonCookieName } = await import('../../lib/tokens/cookies');
const { createSession, liveAt } = await import('../../lib/session/session-store');
const { SIGNED_OUT_MESSAGES } = await import('../../lib/session/signed-out-reason');

useTestDatabase();

const CAP = 5;
const liveSessions = (userId: string) => db().session.count({ where: { userId, ...liveAt(new Date()) } });
const from = (ipAddress: string) => ({ ipAddress, userAgent: 'node:test' });

describe('one account signing in again and again cannot keep more than MAX_SESSIONS_PER_USER sessions', () => {
  test('the sessions unused the longest are ended, their browsers are told why, and the owner sees it on /activity', async () => {
    const user = await createUser();
    const refreshTokens: string[] = [];
    for (let i = 0; i < CAP + 3; i++) {
      const result = await signIn(user.email, PASSWORD, from('192.0.2.10'));
      assert.ok(result.ok);
      refreshTokens.push(result.refreshToken.token);
    }
    assert.equal(await liveSessions(user.id), CAP);
    const ended = await db().session.findMany({ where: { userId: user.id, revokedReason: 'session_limit' } });
    assert.equal(ended.length, 3);
    const events = await db().securityEvent.findMany({ where: { userId: user.id, type: 'session_limit_reached' } });
    assert.deepEqual(events.map((event) => event.sessionId).sort(), ended.map((session) => session.id).sort());
    assert.match(securityEventLabel('session_limit_reached'), /too many devices/);

    // The first browser, displaced: its renewal is refused and its sign-in page will say why.
    const response = await refresh(apiRequest('/api/auth/refresh', { cookies: { [cookieNames().refresh]: refreshTokens[0] } }));
    assert.equal(response.status, 401);
    assert.equal(setCookies(response).get(signedOutReasonCookieName())?.value, 'session_limit');
    assert.match(SIGNED_OUT_MESSAGES.session_limit, /^You were signed out because/);
    // The newest browser goes on.
    const newest = await refresh(apiRequest('/api/auth/refresh', { cookies: { [cookieNames().refresh]: refreshTokens.at(-1)! } }));
    assert.equal(newest.status, 200);
  });

  test('an account holding more sessions than the cap (from before it existed) is brought down to it by one sign-in, with one event', async () => {
    const user = await createUser();
    for (let i = 0; i < 40; i++) await createSession(user.id, from('192.0.2.11'), new Date(Date.now() - (i + 1) * 1000));
    assert.equal(await liveSessions(user.id), 40);
    assert.ok((await signIn(user.email, PASSWORD, from('192.0.2.11'))).ok);
    assert.equal(await liveSessions(user.id), CAP);
    assert.equal(await db().session.count({ where: { userId: user.id, revokedReason: 'session_limit' } }), 40 + 1 - CAP);
    const events = await db().securityEvent.findMany({ where: { userId: user.id, type: 'session_limit_reached' } });
    assert.equal(events.length, 1);
    assert.match(events[0].detail ?? '', /the 36 sessions unused the longest were signed out/);
  });

  test('20 parallel sign-ins of one account leave exactly MAX_SESSIONS_PER_USER live sessions', async () => {
    const user = await createUser();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => signIn(user.email, PASSWORD, from(`198.51.100.${i + 1}`))));
    assert.equal(results.filter((result) => result.ok).length, 20, JSON.stringify(results.filter((r) => !r.ok)));
    assert.equal(await liveSessions(user.id), CAP);
    assert.equal(await db().session.count({ where: { userId: user.id, revokedReason: 'session_limit' } }), 20 - CAP);
    assert.equal(await db().securityEvent.count({ where: { userId: user.id, type: 'session_limit_reached' } }), 20 - CAP);
  });
});

describe('a client signing in with the right password in a loop is refused with 429', () => {
  const post = (email: string) =>
    login(apiRequest('/api/auth/login', { body: { email, password: PASSWORD } }));

  test('per account: past SIGNIN_ACCOUNT_MAX_SUCCESSES, 429 with Retry-After and a clear message; no session, no row', async () => {
    const user = await createUser();
    for (let i = 0; i < 25; i++) assert.ok((await signIn(user.email, PASSWORD, from(`203.0.113.${i + 1}`))).ok, `sign-in ${i + 1}`);
    const sessionsBefore = await db().session.count({ where: { userId: user.id } });
    const attemptsBefore = await db().rateLimitAttempt.count();
    const response = await post(user.email);
    assert.equal(response.status, 429);
    const retryAfter = Number(response.headers.get('retry-after'));
    assert.ok(retryAfter > 0 && retryAfter <= 900, String(retryAfter));
    assert.match((await response.json()).error, /^Too many sign-ins in a short time\. Try again in \d+ minutes?\.$/);
    assert.equal(await db().session.count({ where: { userId: user.id } }), sessionsBefore, 'no session made');
    assert.equal(await db().rateLimitAttempt.count(), attemptsBefore, 'the refused attempt left no row');
  });

  test('per client IP: past SIGNIN_IP_MAX_SUCCESSES, whatever accounts it signs in to', async () => {
    const ip = '192.0.2.77';
    const result = [];
    for (let i = 0; i < 26; i++) result.push(await signIn((await createUser()).email, PASSWORD, from(ip)));
    assert.equal(result.filter((r) => r.ok).length, 25);
    const last = result.at(-1)!;
    assert.ok(!last.ok && last.reason === 'too_many_sign_ins' && last.retryAfterSeconds > 0);
  });
});
