import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';
import { createUser, meta, secondsLater, signedInUser } from '../helpers/fixtures';
import { db } from '../../lib/db/client';
import { findActiveSession } from '../../lib/session/session-lookup';
import {
  createSession,
  endSessionsTransaction,
  replaceSession,
  revokeOtherSessions,
  revokeSession,
} from '../../lib/session/session-store';
import { sessionState } from '../../lib/session/session-policy';

useTestDatabase();

describe('sessionState (ASVS 7.3.1 idle, 7.3.2 absolute)', () => {
  const start = new Date('2026-01-01T00:00:00Z');
  const live = { revokedAt: null, lastActiveAt: start, expiresAt: secondsLater(start, 86_400) };

  test('active inside both windows', () => {
    assert.equal(sessionState(live, secondsLater(start, 3_599)), 'active');
  });
  test('idle-expired once SESSION_IDLE_TIMEOUT_SECONDS pass without activity', () => {
    assert.equal(sessionState(live, secondsLater(start, 3_600)), 'idle_expired');
  });
  test('absolute-expired at expiresAt, however recent the activity', () => {
    const busy = { ...live, lastActiveAt: secondsLater(start, 86_000) };
    assert.equal(sessionState(busy, secondsLater(start, 86_400)), 'absolute_expired');
  });
  test('revoked wins over everything', () => {
    assert.equal(sessionState({ ...live, revokedAt: start }, start), 'revoked');
  });
});

describe('session rows', () => {
  test('each sign-in creates a new session with its own id and a hashed refresh token', async () => {
    const user = await createUser();
    const first = await createSession(user.id, meta);
    const second = await createSession(user.id, meta);
    assert.notEqual(first.session.id, second.session.id);
    const stored = await db().refreshToken.findMany({ where: { sessionId: first.session.id } });
    assert.equal(stored.length, 1);
    assert.notEqual(stored[0].tokenHash, first.refreshToken.token, 'the token itself is never stored');
    assert.equal(first.refreshToken.expiresAt.getTime(), first.session.expiresAt.getTime());
  });

  test('findActiveSession refuses a missing row, another user, and ended sessions', async () => {
    const now = new Date();
    const { user, session } = await signedInUser(now);
    const other = await createUser();
    assert.deepEqual(await findActiveSession('no-such-session', user.id, now), { ok: false, reason: 'missing' });
    assert.deepEqual(await findActiveSession(session.id, other.id, now), { ok: false, reason: 'wrong_user' });
    assert.deepEqual(await findActiveSession(session.id, user.id, secondsLater(now, 3_600)), {
      ok: false,
      reason: 'idle_expired',
    });
    const active = await findActiveSession(session.id, user.id, now);
    assert.equal(active.ok, true);
    await revokeSession(session.id, 'logout', now);
    assert.deepEqual(await findActiveSession(session.id, user.id, now), { ok: false, reason: 'revoked', revokedReason: 'logout' });
  });

  test('revokeSession is idempotent and withdraws the unused refresh token', async () => {
    const { session } = await signedInUser();
    assert.equal(await revokeSession(session.id, 'logout'), true);
    assert.equal(await revokeSession(session.id, 'logout'), false);
    const tokens = await db().refreshToken.findMany({ where: { sessionId: session.id } });
    assert.ok(tokens.every((t) => t.revokedAt !== null));
  });

  test('revokeOtherSessions ends every session but the one kept (ASVS 7.4.3)', async () => {
    const user = await createUser();
    const kept = await createSession(user.id, meta);
    const others = [await createSession(user.id, meta), await createSession(user.id, meta)];
    const stranger = await signedInUser();
    assert.equal(await revokeOtherSessions(user.id, kept.session.id, 'password_changed'), 2);
    for (const other of others) {
      const row = await db().session.findUniqueOrThrow({ where: { id: other.session.id }, include: { refreshTokens: true } });
      assert.equal(row.revokedReason, 'password_changed');
      assert.ok(row.refreshTokens.every((t) => t.revokedAt !== null));
    }
    assert.equal((await db().session.findUniqueOrThrow({ where: { id: kept.session.id } })).revokedAt, null);
    assert.equal((await db().session.findUniqueOrThrow({ where: { id: stranger.session.id } })).revokedAt, null);
  });

  // replaceSession: `expiresAt: { gt: now }`.
  test('a step-up in a session absolute-expired between the check and the write is refused and credits nothing', async () => {
    const signedInAt = new Date(Date.now() - 86_400_000 - 60_000); // past SESSION_ABSOLUTE_TIMEOUT_SECONDS
    const { user, session } = await signedInUser(signedInAt);
    const now = new Date();
    // Active a moment ago, so only the absolute deadline has passed.
    await db().session.update({ where: { id: session.id }, data: { lastActiveAt: secondsLater(now, -10) } });
    const replaced = await endSessionsTransaction((tx) =>
      replaceSession(tx, { sessionId: session.id, userId: user.id }, 'reauthenticated', meta, now),
    );
    assert.equal(replaced, null);
    assert.equal(await db().session.count({ where: { userId: user.id } }), 1, 'no new session');
    assert.equal((await db().session.findUniqueOrThrow({ where: { id: session.id } })).revokedAt, null);
  });
});
