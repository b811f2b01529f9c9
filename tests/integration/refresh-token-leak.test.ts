/**
 * README promises that a copy of the database yields nothing that can be replayed: refresh tokens are
 * stored only as hashes. That holds only if no stored hash is itself a refresh token, and successors
 * are the place it could break: a successor is *derived* from its predecessor, and if that derivation
 * were the same plain SHA-256 used for storage, every stored hash of a rotated token would be its
 * live successor. The attacker here holds a dump of the `RefreshToken` table and tries every row, both
 * against the rotation function and through the real route handler.
 */
// database: sqlite-only — what a stolen table yields depends on how tokens are hashed and derived in JavaScript, not on the database
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';
import { createUser, meta, PASSWORD, secondsLater, signedInUser } from '../helpers/fixtures';
import { apiRequest, redirectTarget, setCookies } from '../helpers/http';
import { db } from '../../lib/db/client';
import { signIn } from '../../lib/auth/sign-in';
import { cookieNames } from '../../lib/tokens/cookies';
import { createSession, revokeSession } from '../../lib/session/session-store';
import { rotateRefreshToken, type RotationOutcome } from '../../lib/session/rotate-refresh-token';
import { GET as refreshByNavigation, POST as refreshByFetch } from '../../app/api/auth/refresh/route';

useTestDatabase();

function expectRotated(outcome: RotationOutcome) {
  assert.equal(outcome.status, 'rotated', `expected a rotation, got ${JSON.stringify(outcome)}`);
  return outcome as Extract<RotationOutcome, { status: 'rotated' }>;
}

/**
 * A realistic table: a user who signed in and refreshed several times (used tokens kept for reuse
 * detection), a second device of hers, other users, a signed-out session. Returns the live token of
 * the busy session and the time of its last rotation. Rotations are 100 s apart, as a browser's are
 * (about one per access-token lifetime), so the per-session rotation budget never kicks in.
 */
async function populate(t0: Date) {
  const signedIn = await signIn((await createUser()).email, PASSWORD, meta, t0);
  assert.ok(signedIn.ok, 'the user signs in');
  let token = signedIn.refreshToken.token;
  let rotatedAt = t0;
  for (let i = 1; i <= 4; i++) {
    rotatedAt = secondsLater(t0, i * 100);
    token = expectRotated(await rotateRefreshToken(token, meta, rotatedAt)).refreshToken.token;
  }
  await createSession(signedIn.user.id, meta, t0);
  const other = await signedInUser(t0);
  expectRotated(await rotateRefreshToken(other.refreshToken, meta, secondsLater(t0, 3)));
  await signedInUser(t0);
  const signedOut = await signedInUser(t0);
  await revokeSession(signedOut.session.id, 'logout', secondsLater(t0, 1));
  return { user: signedIn.user, sessionId: signedIn.sessionId, liveToken: token, lastRotation: rotatedAt };
}

/** Everything an attacker's attempt could change: every token row and every session row. */
async function tableState() {
  return {
    tokens: await db().refreshToken.findMany({ orderBy: { id: 'asc' }, select: { id: true, rotatedAt: true, revokedAt: true } }),
    sessions: await db().session.findMany({ orderBy: { id: 'asc' }, select: { id: true, revokedAt: true, lastActiveAt: true } }),
  };
}

async function everyStoredHash(): Promise<string[]> {
  return (await db().refreshToken.findMany({ select: { tokenHash: true } })).map((row) => row.tokenHash);
}

describe('a leaked RefreshToken table yields no session', () => {
  test('no stored tokenHash rotates or is handed a sibling successor, even inside the grace window', async () => {
    const t0 = new Date('2026-03-01T08:00:00Z');
    const busy = await populate(t0);
    // One second after the last rotation: inside REFRESH_REUSE_GRACE_SECONDS, where a just-rotated
    // token is handed its live successor. A leaked hash must not count as such a token.
    const attackAt = secondsLater(busy.lastRotation, 1);
    const before = await tableState();
    const hashes = await everyStoredHash();
    assert.ok(hashes.length >= 10, `the dump holds used, live and withdrawn tokens (${hashes.length} rows)`);

    for (const hash of hashes) {
      assert.deepEqual(await rotateRefreshToken(hash, meta, attackAt), { status: 'rejected', reason: 'unknown' }, hash);
    }
    assert.deepEqual(await tableState(), before, 'the attempts rotated, revoked and touched nothing');
    assert.equal(
      (await db().securityEvent.count({ where: { type: 'refresh_token_reuse' } })),
      0,
      'no replay was even mistaken for a stolen token',
    );
    // The real browser's token still works: the table held a live session the attacker could not reach.
    // One second old, it is answered with itself and a new access token (a successor younger than the
    // grace window is not rotated again).
    const real = await rotateRefreshToken(busy.liveToken, meta, attackAt);
    assert.ok(real.status === 'current' && real.sessionId === busy.sessionId, JSON.stringify(real));
  });

  test('no stored tokenHash, sent as the refresh cookie, gets a cookie from POST or GET /api/auth/refresh', async () => {
    // The route handlers use the real clock: the sessions are 500 s old, last rotated 100 s ago.
    const t0 = new Date(Date.now() - 500_000);
    const busy = await populate(t0);
    const before = await tableState();
    const hashes = await everyStoredHash();
    const refreshCookie = cookieNames().refresh;

    for (const hash of hashes) {
      const byFetch = await refreshByFetch(apiRequest('/api/auth/refresh', { cookies: { [refreshCookie]: hash } }));
      assert.equal(byFetch.status, 401, `POST with ${hash}`);
      assert.deepEqual([...setCookies(byFetch).keys()], [], 'no cookie is set, not even a clearing one');

      const byNavigation = await refreshByNavigation(
        apiRequest('/api/auth/refresh?next=%2Fpayments', {
          method: 'GET',
          origin: undefined,
          cookies: { [refreshCookie]: hash },
          headers: { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'navigate' },
        }),
      );
      assert.equal(byNavigation.status, 303, `GET with ${hash}`);
      assert.equal(redirectTarget(byNavigation).pathname, '/login', 'sent to the login form, not to the page');
      assert.deepEqual([...setCookies(byNavigation).keys()], []);
    }
    assert.deepEqual(await tableState(), before, 'the attempts rotated, revoked and touched nothing');

    const genuine = await refreshByFetch(apiRequest('/api/auth/refresh', { cookies: { [refreshCookie]: busy.liveToken } }));
    assert.equal(genuine.status, 200, 'the genuine cookie of the same session still refreshes');
    assert.ok(setCookies(genuine).get(refreshCookie)?.value, 'and gets a successor');
  });
});
