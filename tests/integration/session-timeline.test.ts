/**
 * lib/session/session-timeline.ts against a real SQLite database: what the dashboard and the refresh
 * answer say about a session (state, deadlines, last rotation) is what the rows say.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';
import { createUser, meta, secondsLater, signedInUser } from '../helpers/fixtures';
import { db } from '../../lib/db/client';
import { revokeSession } from '../../lib/session/session-store';
import { rotateRefreshToken } from '../../lib/session/rotate-refresh-token';
import { MAX_ROTATIONS_PER_ACCESS_TOKEN_LIFETIME } from '../../lib/session/rotation-decision';
import { readSessionTimeline } from '../../lib/session/session-timeline';

useTestDatabase();

const IDLE_SECONDS = Number(process.env.SESSION_IDLE_TIMEOUT_SECONDS);
const ABSOLUTE_SECONDS = Number(process.env.SESSION_ABSOLUTE_TIMEOUT_SECONDS);

describe('readSessionTimeline', () => {
  test('a new session: active, never rotated, idle deadline from sign-in, absolute deadline fixed at sign-in', async () => {
    const signedInAt = new Date('2026-11-28T06:00:00.000Z');
    const { user, session } = await signedInUser(signedInAt);
    const timeline = await readSessionTimeline(session.id, user.id, secondsLater(signedInAt, 10));
    assert.deepEqual(timeline, {
      state: 'active',
      revokedAt: null,
      revokedReason: null,
      idleExpiresAt: secondsLater(signedInAt, IDLE_SECONDS),
      absoluteExpiresAt: secondsLater(signedInAt, ABSOLUTE_SECONDS),
      lastRotatedAt: null,
      rotations: 0,
    });
  });

  test('each rotation is counted, dated, and moves the idle deadline but not the absolute one', async () => {
    const signedInAt = new Date(Date.now() - 60_000);
    const { user, session, refreshToken } = await signedInUser(signedInAt);
    const first = secondsLater(signedInAt, 20);
    const rotated = await rotateRefreshToken(refreshToken, meta, first);
    assert.ok(rotated.status === 'rotated');
    const second = secondsLater(signedInAt, 40);
    assert.equal((await rotateRefreshToken(rotated.refreshToken.token, meta, second)).status, 'rotated');

    const timeline = await readSessionTimeline(session.id, user.id, secondsLater(signedInAt, 41));
    assert.equal(timeline?.rotations, 2);
    assert.deepEqual(timeline?.lastRotatedAt, second);
    assert.deepEqual(timeline?.idleExpiresAt, secondsLater(second, IDLE_SECONDS));
    assert.deepEqual(timeline?.absoluteExpiresAt, secondsLater(signedInAt, ABSOLUTE_SECONDS));
  });

  test('a signed-out session reads revoked, with when and why: what a copied token’s dashboard shows', async () => {
    const now = new Date();
    const { user, session } = await signedInUser(now);
    const signedOutAt = secondsLater(now, 5);
    await revokeSession(session.id, 'logout', signedOutAt);
    const timeline = await readSessionTimeline(session.id, user.id, secondsLater(now, 6));
    assert.equal(timeline?.state, 'revoked');
    assert.deepEqual(timeline?.revokedAt, signedOutAt);
    assert.equal(timeline?.revokedReason, 'logout');
  });

  test('an idle session reads idle-expired once its deadline has passed', async () => {
    const now = new Date();
    const { user, session } = await signedInUser(now);
    assert.equal((await readSessionTimeline(session.id, user.id, secondsLater(now, IDLE_SECONDS - 1)))?.state, 'active');
    assert.equal((await readSessionTimeline(session.id, user.id, secondsLater(now, IDLE_SECONDS)))?.state, 'idle_expired');
  });

  test('another user’s session, or none: null, so a token learns nothing about sessions not its own', async () => {
    const { session } = await signedInUser(new Date());
    const stranger = await createUser();
    assert.equal(await readSessionTimeline(session.id, stranger.id), null);
    assert.equal(await readSessionTimeline('no-such-session', stranger.id), null);
    assert.ok(await db().session.findUnique({ where: { id: session.id } }), 'the row exists: it is the owner check that refused');
  });
});

/**
 * The refresh answer's timeline is not read again after the rotation: the rotation builds it from the
 * rows it read and wrote (lib/session/rotate-refresh-token.ts). Each granted outcome must say exactly
 * what a fresh read says at that moment, or the dashboard's clock would redraw from stale numbers.
 */
describe('the rotation’s timeline is what a read right after it finds', () => {
  const granted = (outcome: Awaited<ReturnType<typeof rotateRefreshToken>>) => {
    assert.notEqual(outcome.status, 'rejected', JSON.stringify(outcome));
    return outcome as Exclude<typeof outcome, { status: 'rejected' }>;
  };

  test('a rotation: the idle deadline moves to now, one more rotation, dated now', async () => {
    const signedInAt = new Date(Date.now() - 60_000);
    const { user, session, refreshToken } = await signedInUser(signedInAt);
    let token = refreshToken;
    for (const [i, at] of [secondsLater(signedInAt, 20), secondsLater(signedInAt, 40)].entries()) {
      const outcome = granted(await rotateRefreshToken(token, meta, at));
      assert.equal(outcome.status, 'rotated');
      assert.equal(outcome.timeline.rotations, i + 1);
      assert.deepEqual(outcome.timeline.lastRotatedAt, at);
      assert.deepEqual(outcome.timeline, await readSessionTimeline(session.id, user.id, at));
      token = outcome.refreshToken!.token;
    }
  });

  test('the rotation budget spent: the current pair, and the timeline as it stands (nothing written)', async () => {
    const signedInAt = new Date(Date.now() - 120_000);
    const { user, session, refreshToken } = await signedInUser(signedInAt);
    let token = refreshToken;
    let at = signedInAt;
    // 11 s apart: past the 10 s grace window, inside which a successor is answered with itself.
    for (let i = 0; i < MAX_ROTATIONS_PER_ACCESS_TOKEN_LIFETIME; i++) {
      at = secondsLater(at, 11);
      token = granted(await rotateRefreshToken(token, meta, at)).refreshToken!.token;
    }
    const capped = granted(await rotateRefreshToken(token, meta, secondsLater(at, 11)));
    assert.equal(capped.status, 'current');
    assert.equal(capped.timeline.rotations, MAX_ROTATIONS_PER_ACCESS_TOKEN_LIFETIME);
    assert.deepEqual(capped.timeline.lastRotatedAt, at);
    assert.deepEqual(capped.timeline, await readSessionTimeline(session.id, user.id, secondsLater(at, 11)));
  });

  test('parallel refreshes with one token: the winner and every sibling (also those that lost the write) show the winner’s rotation', async () => {
    const signedInAt = new Date(Date.now() - 60_000);
    const { user, session, refreshToken } = await signedInUser(signedInAt);
    const at = secondsLater(signedInAt, 30);
    // All lookups run before the first write: the losers read the token unused, lose the write, and
    // must not answer with the session as it was before the winner's rotation.
    const outcomes = (await Promise.all(Array.from({ length: 8 }, () => rotateRefreshToken(refreshToken, meta, at)))).map(granted);
    assert.deepEqual(outcomes.map((o) => o.status).sort(), ['rotated', ...Array(7).fill('sibling')]);
    const read = await readSessionTimeline(session.id, user.id, at);
    assert.equal(read?.rotations, 1);
    for (const outcome of outcomes) assert.deepEqual(outcome.timeline, read, outcome.status);
    // A sibling arriving later in the grace window, after the write: the same.
    const late = granted(await rotateRefreshToken(refreshToken, meta, secondsLater(at, 2)));
    assert.equal(late.status, 'sibling');
    assert.deepEqual(late.timeline, await readSessionTimeline(session.id, user.id, secondsLater(at, 2)));
  });
});
