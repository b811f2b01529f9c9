/**
 * /activity shows what the code paths that acted wrote, never a reconstruction. So each path must
 * write its event, against the right account, with the request's IP and user agent, and in the same
 * transaction as the change it records: sign-in, failed sign-in, sign-out and reuse detection.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';
import { createUser, failEventInserts, PASSWORD, secondsLater, signedInUser } from '../helpers/fixtures';
import { listSecurityEvents } from '../../lib/audit/activity-log';
import { signIn } from '../../lib/auth/sign-in';
import { signOut } from '../../lib/auth/sign-out';
import { db } from '../../lib/db/client';
import { rotateRefreshToken } from '../../lib/session/rotate-refresh-token';

useTestDatabase();

const PHONE = { ipAddress: '198.51.100.23', userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36' };

async function activityOf(userId: string) {
  return (await listSecurityEvents(userId, { from: 'newest' })).events;
}

describe('each path writes its own event, for the account it concerns', () => {
  test('a failed sign-in for an existing account shows on that account, with IP and device', async () => {
    const user = await createUser();
    const result = await signIn(user.email, 'a wrong password for this one', PHONE, new Date());
    assert.deepEqual(result, { ok: false, reason: 'invalid_credentials' });
    const [event] = await activityOf(user.id);
    assert.equal(event.type, 'login_failed');
    assert.equal(event.ipAddress, PHONE.ipAddress);
    assert.equal(event.userAgent, PHONE.userAgent);
  });

  test('sign-in, then sign-out: both on the account, against the session they concern', async () => {
    const user = await createUser();
    const now = new Date('2026-09-01T10:00:00Z');
    const signedIn = await signIn(user.email, PASSWORD, PHONE, now);
    assert.ok(signedIn.ok);
    await signOut({ refreshToken: signedIn.refreshToken.token }, PHONE, secondsLater(now, 10));
    const events = await activityOf(user.id);
    assert.deepEqual(events.map((e) => e.type), ['logout', 'login_succeeded']);
    for (const event of events) assert.equal(event.ipAddress, PHONE.ipAddress);
    const rows = await db().securityEvent.findMany({ where: { userId: user.id } });
    assert.ok(rows.every((row) => row.sessionId === signedIn.sessionId));
    // Signing out again ends nothing and writes nothing.
    await signOut({ refreshToken: signedIn.refreshToken.token }, PHONE, secondsLater(now, 20));
    assert.equal((await activityOf(user.id)).length, 2);
  });

  test('reuse detection writes one event on the account, with the replaying request’s IP', async () => {
    const t0 = new Date('2026-09-02T10:00:00Z');
    const { user, refreshToken } = await signedInUser(t0);
    assert.equal((await rotateRefreshToken(refreshToken, PHONE, secondsLater(t0, 60))).status, 'rotated');
    const thief = { ipAddress: '192.0.2.66', userAgent: 'curl/8.5.0' };
    assert.equal((await rotateRefreshToken(refreshToken, thief, secondsLater(t0, 120))).status, 'rejected');
    assert.equal((await rotateRefreshToken(refreshToken, thief, secondsLater(t0, 121))).status, 'rejected');
    const reuse = (await activityOf(user.id)).filter((e) => e.type === 'refresh_token_reuse');
    assert.equal(reuse.length, 1, 'one theft, one event');
    assert.equal(reuse[0].ipAddress, thief.ipAddress);
  });
});

describe('nothing lost: the change and its event commit together', () => {
  test('a sign-in whose event cannot be written creates no session', async () => {
    const user = await createUser();
    const undo = await failEventInserts('login_succeeded');
    try {
      await assert.rejects(signIn(user.email, PASSWORD, PHONE, new Date()), /securityEvent\.create/);
    } finally {
      await undo();
    }
    assert.equal(await db().session.count({ where: { userId: user.id } }), 0, 'no session nobody can see on /activity');
  });

  test('a sign-out whose event cannot be written leaves the session live', async () => {
    const { session, refreshToken } = await signedInUser();
    const undo = await failEventInserts('logout');
    try {
      await assert.rejects(signOut({ refreshToken }, PHONE), /securityEvent\.create/);
    } finally {
      await undo();
    }
    assert.equal((await db().session.findUniqueOrThrow({ where: { id: session.id } })).revokedAt, null);
  });

  test('reuse detection whose event cannot be written revokes nothing, and the next replay still detects it', async () => {
    const t0 = new Date('2026-09-03T10:00:00Z');
    const { user, session, refreshToken } = await signedInUser(t0);
    await rotateRefreshToken(refreshToken, PHONE, secondsLater(t0, 60));
    const undo = await failEventInserts('refresh_token_reuse');
    try {
      await assert.rejects(rotateRefreshToken(refreshToken, PHONE, secondsLater(t0, 120)), /securityEvent\.create/);
    } finally {
      await undo();
    }
    assert.equal((await db().session.findUniqueOrThrow({ where: { id: session.id } })).revokedAt, null);
    assert.deepEqual(await rotateRefreshToken(refreshToken, PHONE, secondsLater(t0, 121)), { status: 'rejected', reason: 'reused' });
    assert.equal((await db().session.findUniqueOrThrow({ where: { id: session.id } })).revokedReason, 'refresh_token_reuse');
    assert.equal((await activityOf(user.id)).filter((e) => e.type === 'refresh_token_reuse').length, 1);
  });
});
