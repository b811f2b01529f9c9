/** Sign-in: one answer for every failure, a new session per success, the replaced one ended. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';
import { createUser, meta, PASSWORD } from '../helpers/fixtures';
import { db } from '../../lib/db/client';
import { rotateRefreshToken } from '../../lib/session/rotate-refresh-token';
import { signIn } from '../../lib/auth/sign-in';

useTestDatabase();

describe('signIn', () => {
  test('wrong password and unknown email give the same answer', async () => {
    const user = await createUser();
    assert.deepEqual(await signIn(user.email, 'wrong password', meta), { ok: false, reason: 'invalid_credentials' });
    assert.deepEqual(await signIn('no-such-user@example.com', 'wrong password', meta), {
      ok: false,
      reason: 'invalid_credentials',
    });
  });

  test('a successful sign-in creates a session and records the event', async () => {
    const user = await createUser();
    const result = await signIn(user.email, PASSWORD, meta);
    assert.ok(result.ok);
    const session = await db().session.findUniqueOrThrow({ where: { id: result.sessionId } });
    assert.equal(session.userId, user.id);
    const events = await db().securityEvent.findMany({ where: { userId: user.id } });
    assert.deepEqual(events.map((e) => e.type), ['login_succeeded']);
  });

  test('failed sign-ins are logged for the account owner', async () => {
    const user = await createUser();
    await signIn(user.email, 'wrong password', meta);
    const events = await db().securityEvent.findMany({ where: { userId: user.id } });
    assert.deepEqual(events.map((e) => e.type), ['login_failed']);
  });

  test('signing in again from the same browser ends the session it replaces (ASVS 7.2.4)', async () => {
    const user = await createUser();
    const first = await signIn(user.email, PASSWORD, meta);
    assert.ok(first.ok);
    const second = await signIn(user.email, PASSWORD, meta, new Date(), first.refreshToken.token);
    assert.ok(second.ok);
    const old = await db().session.findUniqueOrThrow({ where: { id: first.sessionId } });
    assert.equal(old.revokedReason, 'logout');
    const replayed = await rotateRefreshToken(first.refreshToken.token, meta);
    assert.equal(replayed.status, 'rejected');
    const current = await db().session.findUniqueOrThrow({ where: { id: second.sessionId } });
    assert.equal(current.revokedAt, null);
  });

  test('a failed sign-in leaves the browser\'s existing session alone', async () => {
    const user = await createUser();
    const first = await signIn(user.email, PASSWORD, meta);
    assert.ok(first.ok);
    await signIn(user.email, 'wrong password', meta, new Date(), first.refreshToken.token);
    const still = await db().session.findUniqueOrThrow({ where: { id: first.sessionId } });
    assert.equal(still.revokedAt, null);
  });
});
