import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';
import { formData, meta, PASSWORD, secondsLater, signedInUser, sensitiveRequestWith } from '../helpers/fixtures';
import { changePasswordDefinition } from '../../lib/sensitive-actions/change-password-action';
import { cookieNames } from '../../lib/tokens/cookies';
import { db } from '../../lib/db/client';
import { SESSION_ENDED } from '../../lib/forms/messages';
import { rotateRefreshToken } from '../../lib/session/rotate-refresh-token';
import { runSensitiveAction } from '../../lib/sensitive-actions/checked-action';
import { createSession } from '../../lib/session/session-store';
import { signIn } from '../../lib/auth/sign-in';
import { changePassword } from '../../lib/auth/password-change';
import { revokeSession } from '../../lib/session/session-store';
import { signAccessToken, verifyAccessToken } from '../../lib/tokens/access-token';

useTestDatabase();

const NEW_PASSWORD = 'a brand new passphrase, also long';

/** Everything a password change could touch for this user. */
async function accountState(userId: string) {
  const user = await db().user.findUniqueOrThrow({ where: { id: userId } });
  const sessions = await db().session.findMany({ where: { userId }, orderBy: { id: 'asc' }, include: { refreshTokens: { orderBy: { id: 'asc' } } } });
  const events = await db().securityEvent.findMany({ where: { userId, type: { in: ['password_changed', 'other_sessions_revoked'] } } });
  return { passwordHash: user.passwordHash, passwordChangedAt: user.passwordChangedAt, sessions, events };
}

describe('password change through the checked path (ASVS 7.5.1)', () => {
  test('a wrong current password -> fieldErrors.currentPassword, nothing changed', async () => {
    const now = new Date();
    const alice = await signedInUser(now);
    await createSession(alice.user.id, meta, now);
    const before = await accountState(alice.user.id);
    const { request, cookiesSet } = sensitiveRequestWith(alice.accessToken, now);
    const result = await runSensitiveAction(
      changePasswordDefinition,
      request,
      formData({ currentPassword: 'not the password at all', newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD }),
    );
    assert.ok(result.status === 'error', 'expected an error result');
    assert.equal(result.code, 'invalid_input');
    assert.deepEqual(result.fieldErrors, { currentPassword: ['Your current password is not correct.'] });
    assert.deepEqual(await accountState(alice.user.id), before);
    assert.equal(cookiesSet.size, 0, 'no cookie was issued');
    assert.equal((await signIn(alice.user.email, PASSWORD, meta, now)).ok, true, 'the old password still works');
    assert.equal(await db().securityEvent.count({ where: { userId: alice.user.id, type: 'step_up_failed' } }), 1);
  });

  const invalidForms: Array<[string, Record<string, string>, Record<string, string[]>]> = [
    [
      'a fresh session is not enough: the current password is required even right after sign-in',
      { newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD },
      { currentPassword: ['Enter your current password.'] },
    ],
    [
      'an all-empty form says what each field needs, once, and nothing about the passwords being equal',
      { currentPassword: '', newPassword: '', confirmPassword: '' },
      {
        currentPassword: ['Enter your current password.'],
        newPassword: ['Choose a new password.'],
        confirmPassword: ['Type the new password again.'],
      },
    ],
    [
      'a new password equal to the current one is refused',
      { currentPassword: PASSWORD, newPassword: PASSWORD, confirmPassword: PASSWORD },
      { newPassword: ['Choose a password different from your current one.'] },
    ],
    [
      'a confirmation that does not match is refused',
      { currentPassword: PASSWORD, newPassword: NEW_PASSWORD, confirmPassword: `${NEW_PASSWORD}!` },
      { confirmPassword: ['The two new passwords do not match.'] },
    ],
    [
      'a new password that is too short is refused',
      { currentPassword: PASSWORD, newPassword: 'short', confirmPassword: 'short' },
      { newPassword: ['Use at least 12 characters.'] },
    ],
  ];
  for (const [name, fields, expectedErrors] of invalidForms) {
    test(name, async () => {
      const now = new Date();
      const alice = await signedInUser(now);
      const before = await accountState(alice.user.id);
      const { request } = sensitiveRequestWith(alice.accessToken, now);
      const result = await runSensitiveAction(changePasswordDefinition, request, formData(fields));
      assert.ok(result.status === 'error', 'expected an error result');
      assert.equal(result.code, 'invalid_input');
      assert.deepEqual(result.fieldErrors, expectedErrors);
      assert.deepEqual(await accountState(alice.user.id), before, 'nothing changed');
      if (fields.newPassword && fields.newPassword !== PASSWORD) {
        assert.equal((await signIn(alice.user.email, fields.newPassword, meta, now)).ok, false, 'the new password does not sign in');
      }
    });
  }

  test('after logout, a still-valid access token cannot change the password', async () => {
    const now = new Date();
    const alice = await signedInUser(now);
    await db().session.update({ where: { id: alice.session.id }, data: { revokedAt: now, revokedReason: 'logout' } });
    const before = await accountState(alice.user.id);
    const { request } = sensitiveRequestWith(alice.accessToken, secondsLater(now, 1));
    const result = await runSensitiveAction(
      changePasswordDefinition,
      request,
      formData({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD }),
    );
    assert.deepEqual(result, { status: 'error', code: 'session_ended', message: SESSION_ENDED });
    assert.deepEqual(await accountState(alice.user.id), before);
  });

  test('success: new password works, old does not, other sessions end (ASVS 7.4.3), this browser moves to a new session (ASVS 7.2.4)', async () => {
    const signInAt = new Date('2026-04-01T08:00:00Z');
    const alice = await signedInUser(signInAt);
    // Two other devices of Alice's, and a stranger, all signed in.
    const laptop = await createSession(alice.user.id, meta, signInAt);
    const phone = await createSession(alice.user.id, meta, signInAt);
    const stranger = await signedInUser(signInAt);

    // 20 minutes later: past the step-up window, which a password change does not need (it asks for the password itself).
    const now = secondsLater(signInAt, 1_200);
    const current = await signAccessToken({ userId: alice.user.id, email: alice.user.email, sessionId: alice.session.id }, now);
    const { request, cookiesSet } = sensitiveRequestWith(current.token, now);
    const result = await runSensitiveAction(
      changePasswordDefinition,
      request,
      formData({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD }),
    );
    assert.deepEqual(result, { status: 'success', message: 'Password changed. All your other sessions were signed out; this browser stays signed in.' });

    // The old password no longer signs in; the new one does.
    const later = secondsLater(now, 1);
    const withOld = await signIn(alice.user.email, PASSWORD, meta, later);
    assert.deepEqual(withOld, { ok: false, reason: 'invalid_credentials' });
    assert.equal((await signIn(alice.user.email, NEW_PASSWORD, meta, later)).ok, true);

    // Every other session of Alice's is revoked and can no longer refresh.
    for (const other of [laptop, phone]) {
      const row = await db().session.findUniqueOrThrow({ where: { id: other.session.id } });
      assert.equal(row.revokedReason, 'password_changed_elsewhere');
      assert.equal(row.revokedAt?.getTime(), now.getTime());
      const rotation = await rotateRefreshToken(other.refreshToken.token, meta, later);
      assert.equal(rotation.status, 'rejected', 'the other device cannot refresh');
    }
    // A thief holding the phone's session cannot act with it, even with a freshly signed access token.
    const phoneAccess = await signAccessToken({ userId: alice.user.id, email: alice.user.email, sessionId: phone.session.id }, later);
    const phoneAttempt = sensitiveRequestWith(phoneAccess.token, later);
    const fromPhone = await runSensitiveAction(
      changePasswordDefinition,
      phoneAttempt.request,
      formData({ currentPassword: NEW_PASSWORD, newPassword: 'the phone thief wants this one', confirmPassword: 'the phone thief wants this one' }),
    );
    assert.deepEqual(fromPhone, { status: 'error', code: 'session_ended', message: SESSION_ENDED });
    // The session the change was made in has ended too: this browser continues in a new one.
    const old = await db().session.findUniqueOrThrow({ where: { id: alice.session.id } });
    assert.equal(old.revokedReason, 'password_changed');
    assert.equal(old.revokedAt?.getTime(), now.getTime());

    // Its old refresh token is refused, as withdrawn rather than revoked: a refresh from this browser
    // that raced the change must not clear the newer cookies the change set. New tokens, for a new
    // session, were set.
    assert.deepEqual(await rotateRefreshToken(alice.refreshToken, meta, later), { status: 'rejected', reason: 'withdrawn' });
    const names = cookieNames();
    const refreshCookie = cookiesSet.get(names.refresh);
    const accessCookie = cookiesSet.get(names.access);
    assert.ok(names.refresh.includes('refresh') && names.access.includes('access'), 'cookie names');
    assert.ok(refreshCookie && refreshCookie.value !== alice.refreshToken && refreshCookie.maxAge > 0, 'a new refresh token was set in the cookie jar');
    assert.ok(accessCookie && accessCookie.maxAge > 0, 'a new access token was set in the cookie jar');
    const verified = await verifyAccessToken(accessCookie.value, later);
    assert.ok(verified.ok, 'the new access token verifies');
    const newSessionId = verified.claims.sessionId;
    assert.notEqual(newSessionId, alice.session.id, 'a new session identifier (ASVS 7.2.4)');
    const fresh = await db().session.findUniqueOrThrow({ where: { id: newSessionId } });
    assert.equal(fresh.userId, alice.user.id);
    assert.equal(fresh.revokedAt, null);
    assert.equal(fresh.authenticatedAt.getTime(), now.getTime(), 'the password entry counts as a fresh authentication');
    assert.equal(fresh.createdAt.getTime(), old.createdAt.getTime(), 'the sign-in time carries over');
    assert.equal(fresh.expiresAt.getTime(), old.expiresAt.getTime(), 'the absolute deadline carries over (ASVS 7.3.2)');
    const renewed = await rotateRefreshToken(refreshCookie.value, meta, later);
    assert.equal(renewed.status, 'rotated');
    assert.equal(renewed.status === 'rotated' && renewed.sessionId, newSessionId);

    // The change is in the security log.
    const events = await db().securityEvent.findMany({ where: { userId: alice.user.id }, select: { type: true, sessionId: true, detail: true } });
    assert.ok(events.some((e) => e.type === 'password_changed' && e.sessionId === newSessionId), 'a password_changed event is recorded');
    const revokedEvent = events.find((e) => e.type === 'other_sessions_revoked');
    assert.equal(revokedEvent?.sessionId, newSessionId);
    assert.equal(revokedEvent?.detail, '2 other sessions signed out after the password change.');

    // Other users are untouched.
    const strangerRow = await db().session.findUniqueOrThrow({ where: { id: stranger.session.id } });
    assert.equal(strangerRow.revokedAt, null);
    assert.equal((await rotateRefreshToken(stranger.refreshToken, meta, later)).status, 'rotated');
    assert.equal((await signIn(stranger.user.email, PASSWORD, meta, later)).ok, true);
  });

  test('wrong current passwords count toward the sign-in limit', async () => {
    const now = new Date('2026-04-02T08:00:00Z');
    const alice = await signedInUser(now);
    for (let i = 1; i <= 5; i++) {
      const t = secondsLater(now, i);
      const access = await signAccessToken({ userId: alice.user.id, email: alice.user.email, sessionId: alice.session.id }, t);
      const { request } = sensitiveRequestWith(access.token, t);
      const result = await runSensitiveAction(
        changePasswordDefinition,
        request,
        formData({ currentPassword: `guess number ${i}`, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD }),
      );
      assert.equal(result.status === 'error' && result.code, 'invalid_input');
    }
    const t = secondsLater(now, 6);
    const access = await signAccessToken({ userId: alice.user.id, email: alice.user.email, sessionId: alice.session.id }, t);
    const before = await accountState(alice.user.id);
    const { request } = sensitiveRequestWith(access.token, t);
    const result = await runSensitiveAction(
      changePasswordDefinition,
      request,
      formData({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD }),
    );
    assert.equal(result.status === 'error' && result.code, 'throttled');
    assert.deepEqual(await accountState(alice.user.id), before);
  });
});

describe('changePassword itself', () => {
  test('a session ended between the check and the change changes nothing', async () => {
    const now = new Date('2026-05-01T10:00:00Z');
    const { user, session } = await signedInUser(now);
    const before = await accountState(user.id);
    await revokeSession(session.id, 'logout', now);
    const result = await changePassword({ userId: user.id, sessionId: session.id }, NEW_PASSWORD, meta, now);
    assert.deepEqual(result, { ok: false, reason: 'session_ended' });
    const after = await db().user.findUniqueOrThrow({ where: { id: user.id } });
    assert.equal(after.passwordHash, before.passwordHash, 'the password hash is unchanged');
    assert.equal(await db().refreshToken.count({ where: { sessionId: session.id, revokedAt: null, rotatedAt: null } }), 0);
    assert.equal(await db().session.count({ where: { userId: user.id } }), 1, 'no new session');
    assert.equal(await db().securityEvent.count({ where: { userId: user.id, type: 'password_changed' } }), 0, 'no event for a change that did not happen');
  });
});

describe('a refresh that raced the password change in the same browser', () => {
  test('is refused without clearing the cookies the change just set', async () => {
    const { POST } = await import('../../app/api/auth/refresh/route');
    const { apiRequest } = await import('../helpers/http');
    const alice = await signedInUser();
    const changed = await changePassword({ userId: alice.user.id, sessionId: alice.session.id }, NEW_PASSWORD, meta);
    assert.ok(changed.ok);
    // The request left the browser with the old refresh cookie before the change's response arrived.
    const response = await POST(apiRequest('/api/auth/refresh', { cookies: { [cookieNames().refresh]: alice.refreshToken } }));
    assert.equal(response.status, 401);
    assert.deepEqual(response.headers.getSetCookie(), [], 'no cookie is cleared: the newer ones stay');
  });
});
