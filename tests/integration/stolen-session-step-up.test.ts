/**
 * A stolen session's step-up: a password typed inside a session whose cookies were copied must not hand the
 * copy step-up credit (ASVS 7.5.3, 7.2.4). The thief below holds a copy of the victim's access and refresh
 * cookies; the victim then types the password in that same browser, by changing it or by confirming it for a
 * payment. The thief's copies must then neither act nor renew, while the victim's browser keeps working with
 * the cookies it was given.
 *
 * Also nothing lost: the security events of a password change or a step-up commit
 * or roll back with the change they record.
 *
 * The copied refresh cookie renews only an unbound session (a bound one needs its key), and an unbound
 * session holds step-up credit only under UNBOUND_SESSION_POLICY=allow: under the default, every payment
 * needs the password with it, so there is no credit to hand anyone (tests/integration/binding-policy.test.ts).
 * This file runs where the credit exists.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test, type TestContext } from 'node:test';
import { useTestDatabase } from '../helpers/database';
import { createUser, failEventInserts, formData, meta, PASSWORD, recordingJar, secondsLater, signedInUser, sensitiveRequestWith } from '../helpers/fixtures';
import { changePassword } from '../../lib/auth/password-change';
import { db } from '../../lib/db/client';
import { SESSION_ENDED, UNEXPECTED_ERROR } from '../../lib/forms/messages';
import { signAccessToken, verifyAccessToken } from '../../lib/tokens/access-token';
import { cookieNames } from '../../lib/tokens/cookies';
import { changePasswordDefinition } from '../../lib/sensitive-actions/change-password-action';
import { runSensitiveAction } from '../../lib/sensitive-actions/checked-action';
import { confirmPasswordDefinition } from '../../lib/sensitive-actions/confirm-password-action';
import { sendPaymentDefinition } from '../../lib/sensitive-actions/send-payment-action';
import { rotateRefreshToken } from '../../lib/session/rotate-refresh-token';
import { createSession, revokeSession } from '../../lib/session/session-store';

process.env.UNBOUND_SESSION_POLICY = 'allow';
useTestDatabase();

const NEW_PASSWORD = 'a brand new passphrase, also long';

async function pay(accessToken: string, recipientEmail: string, now: Date) {
  const form = formData({ recipient: recipientEmail, amount: '100', idempotencyKey: randomUUID() });
  return runSensitiveAction(sendPaymentDefinition, sensitiveRequestWith(accessToken, now).request, form);
}

async function balanceOf(userId: string): Promise<number> {
  return (await db().user.findUniqueOrThrow({ where: { id: userId } })).balanceCents;
}

/** The access token the refresh route would hand a browser for this rotation. */
async function renewedAccessToken(user: { id: string; email: string }, sessionId: string, now: Date): Promise<string> {
  return (await signAccessToken({ userId: user.id, email: user.email, sessionId }, now)).token;
}

/**
 * The victim signs in; 650 s later the browser renews its tokens and the thief copies the cookies then
 * (so the copied access token is live); at 700 s the thief's payment needs a step-up it cannot give;
 * at 705 s the victim's browser renews once more, so the thief's refresh token is a just-rotated one,
 * inside the grace window at the moment the victim types the password (710 s).
 */
async function victimWithCopiedCookies() {
  const signInAt = new Date('2026-06-01T09:00:00Z');
  const victim = await signedInUser(signInAt, { balanceCents: 100_000 });
  const recipient = await createUser({ balanceCents: 0 });
  const user = { id: victim.user.id, email: victim.user.email };

  const copiedAt = secondsLater(signInAt, 650);
  const renewal = await rotateRefreshToken(victim.refreshToken, meta, copiedAt);
  assert.equal(renewal.status, 'rotated');
  const thief = {
    accessToken: await renewedAccessToken(user, victim.session.id, copiedAt),
    refreshToken: renewal.status === 'rotated' ? renewal.refreshToken.token : '',
  };

  const refused = await pay(thief.accessToken, recipient.email, secondsLater(signInAt, 700));
  assert.equal(refused.status === 'error' && refused.code, 'reauth_required', 'before: the thief lacks a recent password');

  const secondRenewalAt = secondsLater(signInAt, 705);
  const second = await rotateRefreshToken(thief.refreshToken, meta, secondRenewalAt);
  assert.equal(second.status, 'rotated');
  const victimAccessToken = await renewedAccessToken(user, victim.session.id, secondRenewalAt);

  return { signInAt, victim, user, recipient, thief, victimAccessToken, typedAt: secondsLater(signInAt, 710) };
}

/** What the thief tries right after the victim typed the password; nothing of it may work. */
async function assertThiefLocked(
  scene: Awaited<ReturnType<typeof victimWithCopiedCookies>>,
  at: Date,
): Promise<void> {
  const { thief, recipient, victim } = scene;
  const balance = await balanceOf(victim.user.id);
  // The copied refresh token was rotated by the victim 5 s before the password was typed: inside the
  // grace window, where a session that lived on would answer it as a concurrent sibling, with a fresh
  // access token for the freshly authenticated session.
  const renewal = await rotateRefreshToken(thief.refreshToken, meta, at);
  assert.equal(renewal.status, 'rejected', 'the copied refresh token renews nothing');
  assert.deepEqual(await pay(thief.accessToken, recipient.email, at), { status: 'error', code: 'session_ended', message: SESSION_ENDED });
  assert.equal(await balanceOf(victim.user.id), balance, 'the thief moved no money');
  assert.equal(await balanceOf(recipient.id), 0);
}

/** The victim's browser, with the cookies the action set, pays without a step-up and renews. */
async function assertVictimKeepsWorking(
  scene: Awaited<ReturnType<typeof victimWithCopiedCookies>>,
  cookiesSet: Map<string, { value: string; maxAge: number }>,
  at: Date,
): Promise<string> {
  const access = cookiesSet.get(cookieNames().access)?.value;
  const refresh = cookiesSet.get(cookieNames().refresh)?.value;
  assert.ok(access && refresh, 'the action set new access and refresh cookies');
  const verified = await verifyAccessToken(access, at);
  assert.ok(verified.ok);
  const newSessionId = verified.claims.sessionId;
  assert.notEqual(newSessionId, scene.victim.session.id, 'the victim continues in a new session');
  const paid = await pay(access, scene.recipient.email, at);
  assert.deepEqual(paid, { status: 'success', message: `Sent $100.00 to ${scene.recipient.email}.` });
  const renewed = await rotateRefreshToken(refresh, meta, secondsLater(at, 1));
  assert.equal(renewed.status, 'rotated');
  assert.equal(renewed.status === 'rotated' && renewed.sessionId, newSessionId);
  return newSessionId;
}

describe('stolen session: typing the password must not hand the copy step-up', () => {
  test('a thief holding copied cookies gets no step-up when the victim changes the password in the same session', async () => {
    const scene = await victimWithCopiedCookies();
    const { request, cookiesSet } = sensitiveRequestWith(scene.victimAccessToken, scene.typedAt);
    const changed = await runSensitiveAction(
      changePasswordDefinition,
      request,
      formData({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD }),
    );
    assert.deepEqual(changed, { status: 'success', message: 'Password changed. All your other sessions were signed out; this browser stays signed in.' });

    await assertThiefLocked(scene, secondsLater(scene.typedAt, 2));
    const newSessionId = await assertVictimKeepsWorking(scene, cookiesSet, secondsLater(scene.typedAt, 3));

    const old = await db().session.findUniqueOrThrow({ where: { id: scene.victim.session.id } });
    assert.equal(old.revokedReason, 'password_changed', 'the session the password was changed in is revoked');
    assert.equal(old.revokedAt?.getTime(), scene.typedAt.getTime());
    const fresh = await db().session.findUniqueOrThrow({ where: { id: newSessionId } });
    assert.equal(fresh.authenticatedAt.getTime(), scene.typedAt.getTime());
    assert.equal(fresh.revokedAt, null);
  });

  test('a thief holding copied cookies gets no step-up credit when the victim confirms the password in the same session', async () => {
    const scene = await victimWithCopiedCookies();
    // The victim's own payment asks for the password, which the victim gives in this browser.
    const asked = await pay(scene.victimAccessToken, scene.recipient.email, scene.typedAt);
    assert.equal(asked.status === 'error' && asked.code, 'reauth_required');
    const { request, cookiesSet } = sensitiveRequestWith(scene.victimAccessToken, scene.typedAt);
    const confirmed = await runSensitiveAction(confirmPasswordDefinition, request, formData({ password: PASSWORD }));
    assert.deepEqual(confirmed, { status: 'success', message: 'Password confirmed' });

    await assertThiefLocked(scene, secondsLater(scene.typedAt, 2));
    const newSessionId = await assertVictimKeepsWorking(scene, cookiesSet, secondsLater(scene.typedAt, 3));

    const old = await db().session.findUniqueOrThrow({ where: { id: scene.victim.session.id } });
    assert.equal(old.revokedReason, 'reauthenticated');
    assert.equal(old.authenticatedAt.getTime(), scene.signInAt.getTime(), 'the old session never got the credit');
    const fresh = await db().session.findUniqueOrThrow({ where: { id: newSessionId } });
    assert.equal(fresh.authenticatedAt.getTime(), scene.typedAt.getTime());
    assert.equal(fresh.createdAt.getTime(), old.createdAt.getTime(), 'a step-up renews the identifier, not the lifetime');
    assert.equal(fresh.expiresAt.getTime(), old.expiresAt.getTime());
    const event = await db().securityEvent.findFirstOrThrow({ where: { userId: scene.user.id, type: 'step_up_succeeded' } });
    assert.equal(event.sessionId, newSessionId);
  });

  // The checked path found the row live; then, before the handler writes, the session ends (a logout in
  // another tab, reuse detection) or goes idle. The handler is driven directly with that context.
  for (const [name, endSession] of [
    ['logged out', (id: string, now: Date) => revokeSession(id, 'logout', now)],
    ['idle-expired', (id: string, now: Date) => db().session.update({ where: { id }, data: { lastActiveAt: secondsLater(now, -3_600) } })],
  ] as const) {
    test(`a step-up in a session ${name} between the check and the write is refused and credits nothing`, async () => {
      const now = new Date('2026-06-02T09:00:00Z');
      const victim = await signedInUser(now);
      const session = await db().session.findUniqueOrThrow({ where: { id: victim.session.id } });
      const { jar, set } = recordingJar();
      await endSession(session.id, now);
      const result = await confirmPasswordDefinition.handler(
        { password: PASSWORD },
        { user: { id: victim.user.id, email: victim.user.email }, session, pageKey: null, now, meta, cookies: jar },
      );
      assert.deepEqual(result, { status: 'error', code: 'session_ended', message: SESSION_ENDED });
      assert.equal(set.size, 0, 'no cookie was issued');
      assert.equal(await db().session.count({ where: { userId: victim.user.id } }), 1, 'no new session');
      assert.equal(await db().securityEvent.count({ where: { userId: victim.user.id, type: 'step_up_succeeded' } }), 0);
    });
  }
});


async function accountState(userId: string) {
  const user = await db().user.findUniqueOrThrow({ where: { id: userId } });
  const sessions = await db().session.findMany({ where: { userId }, orderBy: { id: 'asc' }, include: { refreshTokens: { orderBy: { id: 'asc' } } } });
  const events = await db().securityEvent.findMany({ where: { userId }, orderBy: { id: 'asc' } });
  return { passwordHash: user.passwordHash, passwordChangedAt: user.passwordChangedAt, sessions, events };
}

describe('nothing lost: a password change or step-up and its security events commit together', () => {
  for (const failing of ['password_changed', 'other_sessions_revoked'] as const) {
    test(`a password change whose ${failing} event cannot be written rolls back entirely`, async () => {
      const now = new Date('2026-06-03T09:00:00Z');
      const alice = await signedInUser(now);
      await createSession(alice.user.id, meta, now); // another device, so other_sessions_revoked is due
      const before = await accountState(alice.user.id);
      const undo = await failEventInserts(failing);
      try {
        await assert.rejects(
          changePassword({ userId: alice.user.id, sessionId: alice.session.id }, NEW_PASSWORD, meta, secondsLater(now, 5)),
          // SQLite reports a trigger's RAISE(ABORT) as a constraint failure; Prisma names the failed call.
          /securityEvent\.create/,
        );
      } finally {
        await undo();
      }
      assert.deepEqual(await accountState(alice.user.id), before, 'no new hash, no revocation, no new session, no event');
      // And the untouched session still renews: the failed change withdrew nothing.
      assert.equal((await rotateRefreshToken(alice.refreshToken, meta, secondsLater(now, 6))).status, 'rotated');
    });
  }

  test('a step-up whose step_up_succeeded event cannot be written credits nothing and says so plainly', async (t: TestContext) => {
    const signInAt = new Date('2026-06-04T09:00:00Z');
    const alice = await signedInUser(signInAt, { balanceCents: 100_000 });
    const bob = await createUser({ balanceCents: 0 });
    const at = secondsLater(signInAt, 250); // the sign-in's access token is still live
    await db().session.update({ where: { id: alice.session.id }, data: { authenticatedAt: secondsLater(at, -700) } });
    const before = await accountState(alice.user.id);
    const logged = t.mock.method(console, 'error', () => {});
    const { request, cookiesSet } = sensitiveRequestWith(alice.accessToken, at);
    const undo = await failEventInserts('step_up_succeeded');
    let result;
    try {
      result = await runSensitiveAction(confirmPasswordDefinition, request, formData({ password: PASSWORD }));
    } finally {
      await undo();
    }
    assert.deepEqual(result, { status: 'error', code: 'unexpected', message: UNEXPECTED_ERROR });
    assert.equal(logged.mock.callCount(), 1, 'the details went to the server log');
    assert.equal(cookiesSet.size, 0, 'no cookie was issued');
    const after = await accountState(alice.user.id);
    // Only the rate limiter's bookkeeping may differ; sessions, tokens and events are as before.
    assert.deepEqual(after, before);
    const pay = await runSensitiveAction(
      sendPaymentDefinition,
      sensitiveRequestWith(alice.accessToken, secondsLater(at, 1)).request,
      formData({ recipient: bob.email, amount: '1', idempotencyKey: randomUUID() }),
    );
    assert.equal(pay.status === 'error' && pay.code, 'reauth_required', 'still no step-up credit');
  });
});
