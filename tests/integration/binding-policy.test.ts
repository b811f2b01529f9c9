/**
 * UNBOUND_SESSION_POLICY=step-up (the default), through the one checked path: a session not bound to its
 * browser types the password with each action that needs recent authentication (a payment, ending other
 * sessions); no earlier entry counts, not even one a second ago in another request. A bound session keeps
 * the REAUTH_MAX_AGE_SECONDS window for requests that prove its page key; its copied access token alone is
 * treated as unbound. The `allow` setting: tests/integration/binding-policy-allow.test.ts.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';
import { apiRequest, setCookies } from '../helpers/http';
import { BindingClient } from '../helpers/binding-client';
import { createUser, formData, keyProvenForm, meta, PASSWORD, secondsLater, sensitiveRequestWith, signedInUser } from '../helpers/fixtures';
import { db } from '../../lib/db/client';
import { createSession } from '../../lib/session/session-store';
import { signAccessToken } from '../../lib/tokens/access-token';
import { cookieNames } from '../../lib/tokens/cookies';
import { runSensitiveAction } from '../../lib/sensitive-actions/checked-action';
import { confirmPasswordDefinition } from '../../lib/sensitive-actions/confirm-password-action';
import { sendPaymentDefinition } from '../../lib/sensitive-actions/send-payment-action';
import { signOutSessionsDefinition } from '../../lib/sensitive-actions/sign-out-sessions-action';
import { KEY_NOT_SHOWN_PASSWORD_REQUIRED, UNBOUND_PASSWORD_REQUIRED } from '../../lib/forms/messages';
import { POST as login } from '../../app/api/auth/login/route';

useTestDatabase();

const PASSWORD_REQUIRED = { status: 'error', code: 'password_required', message: UNBOUND_PASSWORD_REQUIRED };
const KEY_NOT_SHOWN = { status: 'error', code: 'password_required', message: KEY_NOT_SHOWN_PASSWORD_REQUIRED };
const WRONG = { status: 'error', code: 'invalid_input', message: 'That password is not correct.', fieldErrors: { password: ['That password is not correct.'] } };

/** A payment of $5.00 at `now`; `holder`: the key of the page that sends it, whose proof goes with it. */
async function pay(accessToken: string, now: Date, recipient: string, extra: Record<string, string> = {}, holder?: BindingClient) {
  const { request, cookiesSet } = sensitiveRequestWith(accessToken, now);
  const values = { recipient, amount: '5.00', idempotencyKey: randomUUID(), ...extra };
  const form = holder ? await keyProvenForm(holder, values, now) : formData(values);
  return runSensitiveAction(sendPaymentDefinition, request, form).then((result) => ({ result, cookiesSet }));
}

async function moneyOf(...userIds: string[]) {
  const users = await db().user.findMany({ where: { id: { in: userIds } }, orderBy: { id: 'asc' }, select: { balanceCents: true } });
  return { balances: users.map((u) => u.balanceCents), payments: await db().payment.count({ where: { senderId: { in: userIds } } }) };
}

/** A session row with its access token, signed in at `now` on another device, bound as given (and to `pageKey`'s key). */
async function session(userId: string, email: string, now: Date, bindingKind?: string, pageKey?: BindingClient) {
  const { session: row } = await createSession(userId, meta, now);
  const pageKeyThumbprint = pageKey ? await pageKey.thumbprint() : undefined;
  if (bindingKind) await db().session.update({ where: { id: row.id }, data: { bindingKind, pageKeyThumbprint } });
  return { id: row.id, accessToken: (await signAccessToken({ userId, email, sessionId: row.id }, now)).token };
}

describe('an unbound session types the password with the action itself (UNBOUND_SESSION_POLICY=step-up)', () => {
  test('signed in over the API without a key proof: the session is unbound and a payment a second later asks for the password', async () => {
    const alice = await createUser();
    const bob = await createUser({ balanceCents: 0 });
    const response = await login(apiRequest('/api/auth/login', { body: { email: alice.email, password: PASSWORD } }));
    assert.equal(response.status, 200);
    const row = await db().session.findFirstOrThrow({ where: { userId: alice.id } });
    assert.equal(row.bindingKind, 'none');
    const accessToken = setCookies(response).get(cookieNames().access)?.value;
    assert.ok(accessToken);
    const before = await moneyOf(alice.id, bob.id);

    const { result } = await pay(accessToken, secondsLater(row.authenticatedAt, 1), bob.email);
    assert.deepEqual(result, PASSWORD_REQUIRED);
    assert.deepEqual(await moneyOf(alice.id, bob.id), before, 'nothing moved');
  });

  test('a password confirmed 1 s earlier in another request does not count: the payment is refused and nothing moves', async () => {
    const now = new Date();
    const alice = await signedInUser(now);
    const bob = await createUser({ balanceCents: 0 });
    const confirmed = await runSensitiveAction(confirmPasswordDefinition, sensitiveRequestWith(alice.accessToken, now).request, formData({ password: PASSWORD }));
    assert.deepEqual(confirmed, { status: 'success', message: 'Password confirmed' });
    const stepped = await db().session.findFirstOrThrow({ where: { userId: alice.user.id, revokedAt: null } });
    assert.equal(stepped.authenticatedAt.getTime(), now.getTime(), 'the new session records the entry');
    assert.equal(stepped.bindingKind, 'none', 'and is as unbound as the one it replaced');
    const steppedToken = (await signAccessToken({ userId: alice.user.id, email: alice.user.email, sessionId: stepped.id }, now)).token;
    const before = await moneyOf(alice.user.id, bob.id);

    const { result } = await pay(steppedToken, secondsLater(now, 1), bob.email);
    assert.deepEqual(result, PASSWORD_REQUIRED);
    assert.deepEqual(await moneyOf(alice.user.id, bob.id), before);
  });

  test('with the password in the same request the payment goes through, in the same session, with no new cookie or credit', async () => {
    const now = new Date();
    const alice = await signedInUser(now, { balanceCents: 1_000 });
    const bob = await createUser({ balanceCents: 0 });
    const { result, cookiesSet } = await pay(alice.accessToken, secondsLater(now, 1), bob.email, { password: PASSWORD });
    assert.deepEqual(result, { status: 'success', message: `Sent $5.00 to ${bob.email}.` });
    assert.equal((await db().user.findUniqueOrThrow({ where: { id: alice.user.id } })).balanceCents, 500);
    assert.equal((await db().user.findUniqueOrThrow({ where: { id: bob.id } })).balanceCents, 500);
    assert.equal(cookiesSet.size, 0, 'no cookie: the session is not replaced');
    const row = await db().session.findUniqueOrThrow({ where: { id: alice.session.id } });
    assert.equal(row.revokedAt, null);
    assert.equal(row.authenticatedAt.getTime(), now.getTime(), 'the entry earns no credit for the next action');

    // The very next payment, a second later, asks again.
    const { result: next } = await pay(alice.accessToken, secondsLater(now, 2), bob.email);
    assert.deepEqual(next, PASSWORD_REQUIRED);
  });

  test('a wrong password is refused beside its field, logged as step_up_failed, and moves nothing; five wrong ones lock the field', async () => {
    const now = new Date();
    const alice = await signedInUser(now);
    const bob = await createUser({ balanceCents: 0 });
    const before = await moneyOf(alice.user.id, bob.id);
    for (let i = 1; i <= 5; i++) {
      const { result } = await pay(alice.accessToken, secondsLater(now, i), bob.email, { password: `wrong guess ${i}` });
      assert.deepEqual(result, WRONG);
    }
    const { result: right } = await pay(alice.accessToken, secondsLater(now, 6), bob.email, { password: PASSWORD });
    assert.ok(right.status === 'error' && right.code === 'throttled', JSON.stringify(right));
    assert.match(right.message, /^Too many failed attempts\. Try again in \d+ (minutes?|seconds?)\.$/);
    assert.deepEqual(right.fieldErrors, { password: [right.message] });
    assert.deepEqual(await moneyOf(alice.user.id, bob.id), before);
    assert.equal(await db().securityEvent.count({ where: { userId: alice.user.id, type: 'step_up_failed' } }), 5);
    assert.equal(JSON.stringify(right).includes(PASSWORD), false, 'no answer carries the password back');
  });

  test('an empty password is asked for beside its field, and checks nothing', async () => {
    const now = new Date();
    const alice = await signedInUser(now);
    const bob = await createUser({ balanceCents: 0 });
    const { result } = await pay(alice.accessToken, now, bob.email, { password: '' });
    assert.deepEqual(result, { status: 'error', code: 'invalid_input', message: 'Enter your password.', fieldErrors: { password: ['Enter your password.'] } });
    assert.equal(await db().securityEvent.count({ where: { userId: alice.user.id, type: 'step_up_failed' } }), 0);
  });

  test('an invalid form with the password is refused on its fields before the password is checked', async () => {
    const now = new Date();
    const alice = await signedInUser(now);
    const { result } = await pay(alice.accessToken, now, 'not an address', { password: 'wrong guess' });
    assert.ok(result.status === 'error' && result.code === 'invalid_input');
    assert.ok(result.fieldErrors?.recipient, 'the recipient field is named');
    assert.equal(result.fieldErrors?.password, undefined);
    assert.equal(await db().securityEvent.count({ where: { userId: alice.user.id, type: 'step_up_failed' } }), 0);
  });

  test('a thief holding an unbound session’s copied access token cannot pay right after its owner typed the password', async () => {
    const now = new Date();
    const alice = await signedInUser(now, { balanceCents: 1_000 });
    const bob = await createUser({ balanceCents: 0 });
    assert.equal((await pay(alice.accessToken, secondsLater(now, 1), bob.email, { password: PASSWORD })).result.status, 'success');
    const after = await moneyOf(alice.user.id, bob.id);
    const { result } = await pay(alice.accessToken, secondsLater(now, 2), bob.email);
    assert.deepEqual(result, PASSWORD_REQUIRED);
    assert.deepEqual(await moneyOf(alice.user.id, bob.id), after);
  });

  test('ending other sessions from /sessions asks too, and ends them with the password typed along', async () => {
    const now = new Date();
    const alice = await signedInUser(now);
    const phone = await createSession(alice.user.id, meta, now);
    const signOut = (extra: Record<string, string>) =>
      runSensitiveAction(signOutSessionsDefinition, sensitiveRequestWith(alice.accessToken, secondsLater(now, 1)).request, formData({ scope: 'others', ...extra }));
    assert.deepEqual(await signOut({}), PASSWORD_REQUIRED);
    assert.equal((await db().session.findUniqueOrThrow({ where: { id: phone.session.id } })).revokedAt, null, 'nothing ended');
    assert.deepEqual(await signOut({ password: PASSWORD }), { status: 'success', message: 'Signed out 1 other session.' });
    assert.ok((await db().session.findUniqueOrThrow({ where: { id: phone.session.id } })).revokedAt);
  });

  test('a value in bindingKind this release does not know counts as unbound, never as bound', async () => {
    const now = new Date();
    const alice = await createUser();
    const bob = await createUser({ balanceCents: 0 });
    for (const kind of ['hardware', 'DBSC', 'key-proof']) {
      const odd = await session(alice.id, alice.email, now, kind);
      assert.deepEqual((await pay(odd.accessToken, secondsLater(now, 1), bob.email)).result, PASSWORD_REQUIRED, kind);
    }
  });
});

describe('a bound session keeps today’s window', () => {
  test('bound by a key proof at sign-in: a payment needs no password within REAUTH_MAX_AGE_SECONDS, and asks for a step-up after it', async () => {
    const alice = await createUser({ balanceCents: 1_000 });
    const bob = await createUser({ balanceCents: 0 });
    const client = await BindingClient.generate();
    const proof = await client.keyProof({ method: 'POST', url: 'http://localhost:3000/api/auth/login' });
    const response = await login(apiRequest('/api/auth/login', { body: { email: alice.email, password: PASSWORD }, headers: { DPoP: proof } }));
    assert.equal(response.status, 200);
    const row = await db().session.findFirstOrThrow({ where: { userId: alice.id } });
    assert.equal(row.bindingKind, 'key_proof');
    const accessToken = setCookies(response).get(cookieNames().access)?.value;
    assert.ok(accessToken);

    assert.equal((await pay(accessToken, secondsLater(row.authenticatedAt, 1), bob.email, {}, client)).result.status, 'success');
    // 601 s on, with the access token a renewal would have handed this browser (renewal never moves authenticatedAt).
    const later = secondsLater(row.authenticatedAt, 601);
    const renewed = (await signAccessToken({ userId: alice.id, email: alice.email, sessionId: row.id }, later)).token;
    const { result: stale } = await pay(renewed, later, bob.email, {}, client);
    assert.equal(stale.status === 'error' && stale.code, 'reauth_required');
    assert.equal((await db().user.findUniqueOrThrow({ where: { id: bob.id } })).balanceCents, 500);
  });

  test('a DBSC-bound session is treated as bound too, with the page key it was bound to at sign-in', async () => {
    const now = new Date();
    const alice = await createUser();
    const bob = await createUser({ balanceCents: 0 });
    const pageKey = await BindingClient.generate();
    const dbsc = await session(alice.id, alice.email, now, 'dbsc', pageKey);
    assert.equal((await pay(dbsc.accessToken, secondsLater(now, 1), bob.email, {}, pageKey)).result.status, 'success');
    assert.deepEqual((await pay(dbsc.accessToken, secondsLater(now, 2), bob.email)).result, KEY_NOT_SHOWN, 'not without the key');
  });
});

describe('a bound session acts with its page key: its copied access token alone acts as an unbound one', () => {
  test('a second after sign-in, the copy cannot pay or end the other sessions without the password, with no key or a key of its own; nothing changes', async () => {
    const now = new Date();
    const alice = await signedInUser(now, { balanceCents: 1_000, bound: true });
    const bob = await createUser({ balanceCents: 0 });
    const other = await session(alice.user.id, alice.user.email, now);
    const thiefKey = await BindingClient.generate();
    const before = await moneyOf(alice.user.id, bob.id);
    for (const holder of [undefined, thiefKey]) {
      const label = holder ? 'a key of its own' : 'no key';
      const { result, cookiesSet } = await pay(alice.accessToken, secondsLater(now, 1), bob.email, {}, holder);
      assert.deepEqual(result, KEY_NOT_SHOWN, label);
      assert.equal(cookiesSet.size, 0, label);
      const { request } = sensitiveRequestWith(alice.accessToken, secondsLater(now, 1));
      const form = holder ? await keyProvenForm(holder, { scope: 'others' }, secondsLater(now, 1)) : formData({ scope: 'others' });
      assert.deepEqual(await runSensitiveAction(signOutSessionsDefinition, request, form), KEY_NOT_SHOWN, label);
    }
    assert.deepEqual(await moneyOf(alice.user.id, bob.id), before, 'no money moved');
    assert.equal((await db().session.findUniqueOrThrow({ where: { id: other.id } })).revokedAt, null, 'the other session lives');
    // A proof by the right key but for another request is no proof for an action.
    const renewalProof = await alice.client!.keyProof({ method: 'POST', url: 'http://localhost:3000/api/auth/refresh', now });
    const { result: misdirected } = await pay(alice.accessToken, secondsLater(now, 1), bob.email, { keyProof: renewalProof });
    assert.deepEqual(misdirected, KEY_NOT_SHOWN, 'a renewal proof');
    // The owner's page, with its key, pays as before.
    assert.equal((await pay(alice.accessToken, secondsLater(now, 2), bob.email, {}, alice.client)).result.status, 'success');
  });
});
