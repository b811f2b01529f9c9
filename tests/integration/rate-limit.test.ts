/**
 * Login throttling per account (ASVS 6.3.1 in v5 / 2.2.1 in v4), counted in the database, and the
 * separate per-account limit for password entries inside a signed-in session: per
 * account, so that more sessions never mean more guesses.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';
import { createUser, formData, meta, PASSWORD, secondsLater, sensitiveRequestWith, signedInUser } from '../helpers/fixtures';
import { createSession } from '../../lib/session/session-store';
import { checkPassword, checkPasswordInSession } from '../../lib/auth/check-password';
import { db } from '../../lib/db/client';
import { signAccessToken } from '../../lib/tokens/access-token';
import { runSensitiveAction } from '../../lib/sensitive-actions/checked-action';
import { confirmPasswordDefinition } from '../../lib/sensitive-actions/confirm-password-action';

useTestDatabase();

describe('password attempts per account', () => {
  test('after 5 failures even the right password is refused, with a bounded Retry-After', async () => {
    const user = await createUser();
    const start = new Date('2026-03-01T10:00:00Z');
    for (let i = 0; i < 5; i++) {
      const result = await checkPassword(user.email, `wrong ${i}`, secondsLater(start, i));
      assert.deepEqual(result, { ok: false, reason: 'invalid_credentials' });
    }
    const blocked = await checkPassword(user.email, PASSWORD, secondsLater(start, 10));
    assert.equal(blocked.ok, false);
    assert.ok(!blocked.ok && blocked.reason === 'throttled');
    // The oldest failure was at +0 s, the window is 900 s: 890 s left at +10 s.
    assert.equal(blocked.retryAfterSeconds, 890);
  });

  test('hammering a locked account does not extend the lock', async () => {
    const user = await createUser();
    const start = new Date('2026-03-02T10:00:00Z');
    for (let i = 0; i < 5; i++) await checkPassword(user.email, 'wrong', start);
    for (let i = 1; i <= 20; i++) await checkPassword(user.email, 'wrong', secondsLater(start, i * 30));
    const afterWindow = await checkPassword(user.email, PASSWORD, secondsLater(start, 901));
    assert.equal(afterWindow.ok, true);
  });

  test('a success clears the count', async () => {
    const user = await createUser();
    const now = new Date('2026-03-03T10:00:00Z');
    for (let i = 0; i < 4; i++) await checkPassword(user.email, 'wrong', now);
    assert.equal((await checkPassword(user.email, PASSWORD, now)).ok, true);
    for (let i = 0; i < 4; i++) await checkPassword(user.email, 'wrong', now);
    assert.equal((await checkPassword(user.email, PASSWORD, now)).ok, true);
  });

  test('unknown emails are limited the same way (no difference to observe)', async () => {
    const now = new Date('2026-03-04T10:00:00Z');
    const email = 'nobody-at-all@example.com';
    for (let i = 0; i < 5; i++) assert.deepEqual(await checkPassword(email, 'x', now), { ok: false, reason: 'invalid_credentials' });
    const blocked = await checkPassword(email, 'x', now);
    assert.ok(!blocked.ok && blocked.reason === 'throttled');
  });

  test('20 concurrent guesses get at most 5 password checks', async () => {
    const user = await createUser();
    const now = new Date('2026-03-05T10:00:00Z');
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => checkPassword(user.email, `guess ${i}`, now)));
    const checked = results.filter((r) => !r.ok && r.reason === 'invalid_credentials').length;
    const throttled = results.filter((r) => !r.ok && r.reason === 'throttled').length;
    assert.ok(checked <= 5, `${checked} guesses were checked`);
    assert.equal(checked + throttled, 20);
  });

  test('the count lives in the database, keyed by a hash rather than the email', async () => {
    const email = 'stored-key@example.com';
    await checkPassword(email, 'x', new Date());
    const rows = await db().rateLimitAttempt.findMany();
    assert.ok(rows.length > 0);
    assert.ok(rows.every((row) => !row.key.includes('@')));
  });
});

describe('password entries inside a signed-in session', () => {
  test('anonymous guesses that lock the email do not lock the signed-in owner out of step-up and password change', async () => {
    const now = new Date('2026-03-06T10:00:00Z');
    const owner = await signedInUser(now);
    for (let i = 0; i < 5; i++) await checkPassword(owner.user.email, `attacker guess ${i}`, now);
    const anonymous = await checkPassword(owner.user.email, PASSWORD, now);
    assert.ok(!anonymous.ok && anonymous.reason === 'throttled', 'the per-email sign-in lock stays');

    const inSession = await checkPasswordInSession({ userId: owner.user.id, sessionId: owner.session.id }, PASSWORD, now);
    assert.ok(inSession.ok, 'the owner can still confirm their password and change it');
    const stillLocked = await checkPassword(owner.user.email, PASSWORD, now);
    assert.ok(!stillLocked.ok && stillLocked.reason === 'throttled', 'and that success does not lift the anonymous lock');
  });

  test('many sessions of one account cannot multiply password guesses: each guessing, they are refused after the account’s limit in total', async () => {
    const now = new Date('2026-03-07T10:00:00Z');
    const victim = await signedInUser(now);
    // A thief holding (or able to make) six sessions of the account, each typing one guess at step-up.
    const sessions = [victim.session.id];
    for (let i = 0; i < 6; i++) sessions.push((await createSession(victim.user.id, meta, now)).session.id);
    const confirm = async (sessionId: string, password: string, at: Date) => {
      const token = await signAccessToken({ userId: victim.user.id, email: victim.user.email, sessionId }, at);
      return runSensitiveAction(confirmPasswordDefinition, sensitiveRequestWith(token.token, at).request, formData({ password }));
    };
    const codes = [];
    for (let i = 0; i < 6; i++) {
      const result = await confirm(sessions[i], `guess ${i}`, secondsLater(now, i));
      codes.push(result.status === 'error' ? result.code : result.status);
    }
    assert.deepEqual(codes, ['invalid_input', 'invalid_input', 'invalid_input', 'invalid_input', 'invalid_input', 'throttled']);
    // Even the right password, from yet another session of the account, waits out the window.
    const blocked = await confirm(sessions[6], PASSWORD, secondsLater(now, 10));
    assert.equal(blocked.status === 'error' && blocked.code, 'throttled');
    assert.deepEqual(await checkPasswordInSession({ userId: victim.user.id, sessionId: sessions[6] }, PASSWORD, secondsLater(now, 10)), {
      ok: false,
      reason: 'throttled',
      retryAfterSeconds: 890,
    });
    // Another account is not affected.
    const neighbour = await signedInUser(now);
    assert.ok((await checkPasswordInSession({ userId: neighbour.user.id, sessionId: neighbour.session.id }, PASSWORD, secondsLater(now, 11))).ok);
  });

  test('the owner’s way out: the email’s sign-in is untouched by in-session guesses, and signing in with the password lifts their lock', async () => {
    const now = new Date('2026-03-09T10:00:00Z');
    const victim = await signedInUser(now);
    const stolen = { userId: victim.user.id, sessionId: victim.session.id };
    for (let i = 0; i < 5; i++) await checkPasswordInSession(stolen, `guess ${i}`, secondsLater(now, i));
    const mine = { userId: victim.user.id, sessionId: (await createSession(victim.user.id, meta, now)).session.id };
    assert.ok(!(await checkPasswordInSession(mine, PASSWORD, secondsLater(now, 10))).ok, 'locked for every session of the account');
    assert.ok((await checkPassword(victim.user.email, PASSWORD, secondsLater(now, 11))).ok, 'signing in still works');
    assert.ok((await checkPasswordInSession(mine, PASSWORD, secondsLater(now, 12))).ok, 'and proved the owner: the lock lifted');
    // A wrong sign-in proves nothing and lifts nothing.
    for (let i = 0; i < 5; i++) await checkPasswordInSession(stolen, `guess ${i}`, secondsLater(now, 20 + i));
    assert.ok(!(await checkPassword(victim.user.email, 'not the password', secondsLater(now, 30))).ok);
    assert.ok(!(await checkPasswordInSession(mine, PASSWORD, secondsLater(now, 31))).ok);
  });

  test('a correct entry in a session clears the account\'s count', async () => {
    const now = new Date('2026-03-08T10:00:00Z');
    const owner = await signedInUser(now);
    const signedIn = { userId: owner.user.id, sessionId: owner.session.id };
    for (let i = 0; i < 4; i++) await checkPasswordInSession(signedIn, 'wrong', now);
    assert.ok((await checkPasswordInSession(signedIn, PASSWORD, now)).ok);
    for (let i = 0; i < 4; i++) await checkPasswordInSession(signedIn, 'wrong', now);
    assert.ok((await checkPasswordInSession(signedIn, PASSWORD, now)).ok);
  });
});
