/**
 * Cheap database growth by refreshing in a loop (the refresh half; sign-in's is in sign-in-work.test.ts):
 * a signed-in
 * client added about 2,600 refresh-token rows in 10 s, each kept for the session's life because reuse
 * detection needs used tokens. Rotations per session are now bounded; reuse detection is not weakened.
 *
 *   node --conditions=react-server --import tsx --test tests/integration/refresh-flood.test.ts
 *
 * Test settings (tests/helpers/database.ts): ACCESS_TOKEN_TTL_SECONDS=300, grace window 10 s.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';
import { meta, secondsLater, signedInUser } from '../helpers/fixtures';
import { apiRequest, setCookies } from '../helpers/http';
import { db } from '../../lib/db/client';
import { cookieNames } from '../../lib/tokens/cookies';
import { verifyAccessToken } from '../../lib/tokens/access-token';
import { rotateRefreshToken, type RotationOutcome } from '../../lib/session/rotate-refresh-token';
import { MAX_ROTATIONS_PER_ACCESS_TOKEN_LIFETIME } from '../../lib/session/rotation-decision';
import { POST as refresh } from '../../app/api/auth/refresh/route';

useTestDatabase();

const TTL_SECONDS = 300;
const GRACE_SECONDS = 10;
/** Rotations this far apart: a successor younger than the grace window is answered with itself, never rotated. */
const STEP_SECONDS = GRACE_SECONDS + 1;

function tokenRows(sessionId: string) {
  return db().refreshToken.count({ where: { sessionId } });
}

/** The refresh token a successful outcome hands the browser (what its cookie holds next). */
function handedToken(outcome: RotationOutcome, previous: string): string {
  assert.notEqual(outcome.status, 'rejected', `refused: ${JSON.stringify(outcome)}`);
  return outcome.status === 'rejected' ? previous : (outcome.refreshToken?.token ?? previous);
}

describe('refresh flood: rotations per session are bounded', () => {
  test(`refresh flood: 600 refreshes within one access-token lifetime add at most ${MAX_ROTATIONS_PER_ACCESS_TOKEN_LIFETIME} rows, and every one still succeeds`, async () => {
    const t0 = new Date('2026-04-01T08:00:00Z');
    const { user, session, refreshToken } = await signedInUser(t0);
    let current = refreshToken;
    const statuses = new Map<string, number>();
    for (let i = 1; i <= 600; i++) {
      // One every 480 ms: 288 s in all, inside one lifetime, and slower than the grace window nothing rotates.
      const outcome = await rotateRefreshToken(current, meta, new Date(t0.getTime() + 60_000 + i * 480));
      statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
      current = handedToken(outcome, current);
    }
    assert.equal(await tokenRows(session.id), 1 + MAX_ROTATIONS_PER_ACCESS_TOKEN_LIFETIME, 'the sign-in token plus the budget');
    assert.equal(statuses.get('rotated'), MAX_ROTATIONS_PER_ACCESS_TOKEN_LIFETIME);
    assert.equal(statuses.get('current'), 600 - MAX_ROTATIONS_PER_ACCESS_TOKEN_LIFETIME, `every other refresh got the current pair: ${JSON.stringify([...statuses])}`);
    assert.equal((await db().session.findUniqueOrThrow({ where: { id: session.id } })).revokedAt, null);
    assert.equal(await db().securityEvent.count({ where: { userId: user.id, type: 'refresh_token_reuse' } }), 0);
  });

  test('refresh flood: over hours of looping, rows grow by the budget per access-token lifetime, not by the request rate', async () => {
    const t0 = new Date('2026-04-02T08:00:00Z');
    const { session, refreshToken } = await signedInUser(t0);
    let current = refreshToken;
    // A refresh every 30 s for 2 hours: 240 requests, 24 access-token lifetimes.
    const hours = 2;
    for (let at = 30; at <= hours * 3_600; at += 30) {
      current = handedToken(await rotateRefreshToken(current, meta, secondsLater(t0, at)), current);
    }
    const lifetimes = (hours * 3_600) / TTL_SECONDS;
    const rows = await tokenRows(session.id);
    assert.ok(rows <= 1 + MAX_ROTATIONS_PER_ACCESS_TOKEN_LIFETIME * (lifetimes + 1), `${rows} rows for 240 refreshes`);
  });

  test('refresh flood through the route handler: 40 POSTs in a row rotate once (a successor is not rotated again inside the grace window)', async () => {
    const { session, refreshToken } = await signedInUser(new Date(Date.now() - 60_000));
    const names = cookieNames();
    let current = refreshToken;
    for (let i = 0; i < 40; i++) {
      const response = await refresh(apiRequest('/api/auth/refresh', { cookies: { [names.refresh]: current, [names.hint]: '1' } }));
      assert.equal(response.status, 200, `refresh ${i}`);
      const cookies = setCookies(response);
      assert.ok((await verifyAccessToken(cookies.get(names.access)!.value)).ok, 'a fresh access token every time');
      current = cookies.get(names.refresh)!.value;
    }
    assert.equal(await tokenRows(session.id), 2, 'the sign-in token and its one successor');
  });

  test('once an access-token lifetime has passed, the next refresh rotates again', async () => {
    const t0 = new Date('2026-04-03T08:00:00Z');
    const { refreshToken } = await signedInUser(t0);
    let current = refreshToken;
    const last = MAX_ROTATIONS_PER_ACCESS_TOKEN_LIFETIME * STEP_SECONDS;
    for (let i = 1; i <= MAX_ROTATIONS_PER_ACCESS_TOKEN_LIFETIME; i++) {
      const outcome = await rotateRefreshToken(current, meta, secondsLater(t0, i * STEP_SECONDS));
      assert.equal(outcome.status, 'rotated');
      current = handedToken(outcome, current);
    }
    const capped = await rotateRefreshToken(current, meta, secondsLater(t0, last + STEP_SECONDS));
    assert.equal(capped.status, 'current');
    assert.equal(capped.status === 'current' && capped.refreshToken.token, current, 'the same refresh token back');
    assert.equal((await rotateRefreshToken(current, meta, secondsLater(t0, last + TTL_SECONDS + 1))).status, 'rotated');
  });
});

describe('refresh flood: reuse detection is not weakened', () => {
  test('refresh flood: an old token replayed long after the flood still revokes the session', async () => {
    const t0 = new Date('2026-04-04T08:00:00Z');
    const { user, session, refreshToken: first } = await signedInUser(t0);
    let current = first;
    for (let i = 1; i <= 200; i++) current = handedToken(await rotateRefreshToken(current, meta, secondsLater(t0, i / 20)), current);

    const replay = await rotateRefreshToken(first, meta, secondsLater(t0, 3_000));
    assert.deepEqual(replay, { status: 'rejected', reason: 'reused' });
    assert.equal((await db().session.findUniqueOrThrow({ where: { id: session.id } })).revokedReason, 'refresh_token_reuse');
    assert.equal(await db().securityEvent.count({ where: { userId: user.id, type: 'refresh_token_reuse' } }), 1);
  });

  test('a thief who copies the token while the budget is spent shares it, and is caught one rotation later', async () => {
    const t0 = new Date('2026-04-05T08:00:00Z');
    const { session, refreshToken } = await signedInUser(t0);
    let current = refreshToken;
    const last = MAX_ROTATIONS_PER_ACCESS_TOKEN_LIFETIME * STEP_SECONDS;
    for (let i = 1; i <= MAX_ROTATIONS_PER_ACCESS_TOKEN_LIFETIME; i++) {
      current = handedToken(await rotateRefreshToken(current, meta, secondsLater(t0, i * STEP_SECONDS)), current);
    }
    const copied = current;
    assert.equal((await rotateRefreshToken(copied, meta, secondsLater(t0, last + STEP_SECONDS))).status, 'current', 'the thief gets the current pair');
    // Later the real browser rotates; the thief's copy is then a used token, and past the grace window
    // presenting it is reuse.
    const browser = await rotateRefreshToken(current, meta, secondsLater(t0, last + TTL_SECONDS + 10));
    assert.equal(browser.status, 'rotated');
    const caught = await rotateRefreshToken(copied, meta, secondsLater(t0, last + TTL_SECONDS + 10 + GRACE_SECONDS + 1));
    assert.deepEqual(caught, { status: 'rejected', reason: 'reused' });
    assert.notEqual((await db().session.findUniqueOrThrow({ where: { id: session.id } })).revokedAt, null);
  });
});
