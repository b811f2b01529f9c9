/**
 * The /lab page's copied refresh cookie (lib/lab/refresh-copy.ts, lib/lab/refresh-tries.ts) through the
 * checked path, on a real database: a demonstration session bound to the key the page holds, its
 * refresh token kept server-side; "another device" without the key is refused and consumes nothing,
 * this browser's proof renews it, a proof from another key ends it with its reason and event, and it
 * is ended afterwards. Above all the page gains nothing it could abuse: an unbound session or a stolen
 * access token cannot start it, the demonstration's proof is useless against the caller's own session,
 * the demonstration cannot be renewed without the key, and no answer carries a token or sets a cookie.
 *
 *   node --conditions=react-server --import tsx --import ./tests/helpers/integration-setup.ts --test tests/integration/lab-refresh-copy.test.ts
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';
import { createUser, formData, keyProvenForm, meta, PASSWORD, secondsLater, sensitiveRequestWith } from '../helpers/fixtures';
import { getConfig } from '../../lib/config/config';
import { signIn } from '../../lib/auth/sign-in';
import { apiRequest } from '../helpers/http';
import { BindingClient } from '../helpers/binding-client';
import { db } from '../../lib/db/client';
import { cookieNames } from '../../lib/tokens/cookies';
import { hashRefreshToken } from '../../lib/tokens/refresh-token';
import { signAccessToken } from '../../lib/tokens/access-token';
import { expectedOrigin } from '../../lib/request/origin';
import { keyBindingColumns } from '../../lib/session/binding-columns';
import { createSession, endSessionsTransaction, replaceSession } from '../../lib/session/session-store';
import { issueChallenge } from '../../lib/session/dbsc-challenges';
import { registerDbscSession } from '../../lib/session/dbsc-registration';
import { runSensitiveAction } from '../../lib/sensitive-actions/checked-action';
import { labActionDefinitions, NO_DEMO, UNBOUND } from '../../lib/lab/lab-actions';
import { LAB_KEY_NOT_HERE as NOT_THIS_KEY } from '../../lib/forms/messages';
import { DEMO_SESSION_SECONDS, findRefreshCopy } from '../../lib/lab/refresh-copy';
import { refreshUrl, type RefreshTries, type RefreshTry } from '../../lib/lab/refresh-tries';
import { pruneExpiredRecords } from '../../lib/housekeeping';
import { POST as refresh } from '../../app/api/auth/refresh/route';

useTestDatabase();

const SAME_ORIGIN = new Headers({ origin: 'http://localhost:3000', host: 'localhost:3000' });
const ORIGIN = expectedOrigin(SAME_ORIGIN)!;
const { startRefreshCopyDefinition, finishRefreshCopyDefinition } = labActionDefinitions(async () => SAME_ORIGIN);

/** A person signed in through the form: a session bound to the key their page holds (`client`). */
async function boundPerson(now = new Date()) {
  const user = await createUser();
  const client = await BindingClient.generate();
  const key = { publicKey: client.publicJwk, thumbprint: await client.thumbprint() };
  const { session, refreshToken } = await createSession(user.id, meta, now, db(), keyBindingColumns(key, now));
  const access = await signAccessToken({ userId: user.id, email: user.email, sessionId: session.id }, now);
  return { user, session, client, refreshToken: refreshToken.token, accessToken: access.token };
}
type Person = Awaited<ReturnType<typeof boundPerson>>;

/** The browser registers DBSC for the session, as Chromium does after sign-in: its row then names the DBSC key. */
async function registerDbsc(person: { session: { id: string } }, now = new Date()) {
  const challenge = await db().$transaction((tx) => issueChallenge(tx, person.session.id, 'dbsc_registration', now));
  const dbscKey = await BindingClient.generate();
  const registered = await registerDbscSession(person.session.id, await dbscKey.dbscRegistrationProof(challenge), meta, now);
  assert.ok(registered.ok, 'registered');
  const row = await db().session.findUniqueOrThrow({ where: { id: person.session.id } });
  assert.equal(row.bindingThumbprint, await dbscKey.thumbprint(), 'the row names the DBSC key');
}

/** Step one as a page holding `holder`'s key sends it: nothing but the key's proof, which every checked action carries. */
async function start(accessToken: string, holder: BindingClient, now = new Date()) {
  const { request, cookiesSet } = sensitiveRequestWith(accessToken, now);
  const state = await runSensitiveAction(startRefreshCopyDefinition, request, await keyProvenForm(holder, {}, now));
  return { state, cookiesSet };
}

/** Step two: the renewal `proof` for the demonstration, from a page holding `holder`'s key (null: no key proof at all). */
async function finish(accessToken: string, proof: string, holder: BindingClient | null, now = new Date()) {
  const { request, cookiesSet } = sensitiveRequestWith(accessToken, now);
  const form = holder ? await keyProvenForm(holder, { proof }, now) : formData({ proof });
  const state = await runSensitiveAction(finishRefreshCopyDefinition, request, form);
  return { state, cookiesSet };
}

/** Step one as the page runs it; answers the first try, the nonce, and the demonstration's refresh token (read here, as no page can). */
async function started(person: Person, now = new Date()) {
  const { state, cookiesSet } = await start(person.accessToken, person.client, now);
  assert.equal(state.status, 'success', JSON.stringify(state));
  assert.equal(cookiesSet.size, 0, 'no cookie');
  const data = (state as { data: { tryResult: RefreshTry; nonce: string } }).data;
  const copy = await findRefreshCopy({ userId: person.user.id, sessionId: person.session.id });
  assert.ok(copy);
  return { ...data, ...copy };
}

/** The caller's own session as the database has it: row and refresh token. */
async function ownState(person: Person) {
  const row = await db().session.findUniqueOrThrow({ where: { id: person.session.id } });
  const token = await db().refreshToken.findUniqueOrThrow({ where: { tokenHash: hashRefreshToken(person.refreshToken) } });
  return { revokedAt: row.revokedAt, nonce: row.keyProofNonce, authenticatedAt: row.authenticatedAt, tokenRotatedAt: token.rotatedAt };
}

describe('the experiment, step by step', () => {
  test('another device without the key is refused and consumes nothing; this browser renews; another key ends it with its reason and event; then it is over', async () => {
    const person = await boundPerson();
    const before = await ownState(person);
    const demo = await started(person);

    // The demonstration is a separate session of the account, bound to the very key the page holds.
    const demoRow = await db().session.findUniqueOrThrow({ where: { id: demo.demoSessionId } });
    assert.notEqual(demo.demoSessionId, person.session.id);
    assert.equal(demoRow.bindingKind, 'key_proof');
    assert.equal(demoRow.bindingThumbprint, await person.client.thumbprint());
    assert.equal(demoRow.authenticatedAt.getTime(), 0, 'no step-up credit');
    assert.equal(demo.nonce, demoRow.keyProofNonce);

    // (1) Without the key: the real rotation refuses, and the token is still there to be used.
    assert.deepEqual(
      { ...demo.tryResult, checkedAt: undefined },
      { device: 'without_key', renewed: false, answer: 'proof_required', tokenConsumed: false, sessionEndedWith: null, checkedAt: undefined },
    );
    const token = await db().refreshToken.findUniqueOrThrow({ where: { tokenHash: hashRefreshToken(demo.refreshToken) } });
    assert.deepEqual({ rotatedAt: token.rotatedAt, revokedAt: token.revokedAt }, { rotatedAt: null, revokedAt: null });

    // (2) This browser signs for the demonstration's nonce, (3) another key tries: the real answers.
    const proof = await person.client.keyProof({ method: 'POST', url: refreshUrl(ORIGIN), nonce: demo.nonce });
    const { state, cookiesSet } = await finish(person.accessToken, proof, person.client);
    assert.equal(state.status, 'success', JSON.stringify(state));
    assert.equal(cookiesSet.size, 0, 'no cookie');
    const { tries, endingEvent } = (state as { data: RefreshTries }).data;
    assert.deepEqual(
      tries.map(({ device, renewed, answer, tokenConsumed, sessionEndedWith }) => ({ device, renewed, answer, tokenConsumed, sessionEndedWith })),
      [
        { device: 'this_browser', renewed: true, answer: 'rotated', tokenConsumed: true, sessionEndedWith: null },
        { device: 'own_key', renewed: false, answer: 'proof_failed', tokenConsumed: false, sessionEndedWith: 'binding_proof_failed' },
      ],
    );
    assert.equal(endingEvent, true);
    const events = await db().securityEvent.findMany({ where: { userId: person.user.id }, select: { type: true, sessionId: true } });
    assert.deepEqual(events.map((e) => e.type).sort(), ['binding_proof_failed', 'lab_demo_bound']);
    assert.equal(events.find((e) => e.type === 'binding_proof_failed')?.sessionId, demo.demoSessionId);

    // Over: the demonstration is ended, its copy deleted, no usable refresh token is left of it.
    const ended = await db().session.findUniqueOrThrow({ where: { id: demo.demoSessionId } });
    assert.equal(ended.revokedReason, 'binding_proof_failed');
    assert.equal(await db().labRefreshCopy.count({ where: { userId: person.user.id } }), 0);
    assert.equal(await db().refreshToken.count({ where: { sessionId: demo.demoSessionId, rotatedAt: null, revokedAt: null } }), 0);

    // The person's own session was never touched.
    assert.deepEqual(await ownState(person), before);
  });

  test('a demonstration the page never finished is ended by the next press, and cannot outlive its short deadline', async () => {
    const now = new Date();
    const person = await boundPerson(now);
    const first = await started(person, now);
    const firstRow = await db().session.findUniqueOrThrow({ where: { id: first.demoSessionId } });
    assert.equal(firstRow.expiresAt.getTime(), secondsLater(now, DEMO_SESSION_SECONDS).getTime());

    const second = await started(person, secondsLater(now, 1));
    const ended = await db().session.findUniqueOrThrow({ where: { id: first.demoSessionId } });
    assert.equal(ended.revokedReason, 'logout');
    assert.equal(await db().labRefreshCopy.count({ where: { userId: person.user.id } }), 1);
    assert.notEqual(second.demoSessionId, first.demoSessionId);
  });

  test('a demonstration left behind is timed out at its deadline by housekeeping, and later deleted with its copy', async () => {
    const now = new Date();
    const person = await boundPerson(now);
    const demo = await started(person, now);
    await pruneExpiredRecords(secondsLater(now, DEMO_SESSION_SECONDS + 1));
    const timedOut = await db().session.findUniqueOrThrow({ where: { id: demo.demoSessionId } });
    assert.equal(timedOut.revokedReason, 'absolute_timeout');
    await pruneExpiredRecords(secondsLater(now, DEMO_SESSION_SECONDS + 3600));
    assert.equal(await db().session.count({ where: { id: demo.demoSessionId } }), 0);
    assert.equal(await db().labRefreshCopy.count({ where: { userId: person.user.id } }), 0, 'the copy went with its session');
  });

  test('a session the browser renews by DBSC (its row names the DBSC key): the page key it was bound to before proves itself and the experiment runs', async () => {
    const person = await boundPerson();
    await registerDbsc(person);
    const demo = await started(person);
    const demoRow = await db().session.findUniqueOrThrow({ where: { id: demo.demoSessionId } });
    assert.equal(demoRow.bindingThumbprint, await person.client.thumbprint(), 'bound to the page’s key, not the DBSC one');
    const { state } = await finish(person.accessToken, await person.client.keyProof({ method: 'POST', url: refreshUrl(ORIGIN), nonce: demo.nonce }), person.client);
    assert.equal((state as { data: RefreshTries }).data.tries[0].renewed, true);
  });
});

describe('the demonstration never costs the person a session', () => {
  test('a sign-in while it is live, with the account one short of the session cap, ends none of their own sessions', async () => {
    const person = await boundPerson();
    const now = new Date();
    for (let i = 2; i < getConfig().MAX_SESSIONS_PER_USER; i++) await createSession(person.user.id, meta, now);
    const demo = await started(person);
    const signedIn = await signIn(person.user.email, PASSWORD, meta);
    assert.ok(signedIn.ok, JSON.stringify(signedIn));
    const ended = await db().session.findMany({ where: { userId: person.user.id, revokedReason: 'session_limit' }, select: { id: true } });
    assert.deepEqual(ended, [], 'nobody signed out to make room');
    const demoRow = await db().session.findUniqueOrThrow({ where: { id: demo.demoSessionId } });
    assert.equal(demoRow.revokedAt, null, 'and the experiment goes on');
  });
});

describe('the page gains nothing it could abuse', () => {
  test('an unbound session sees it refused with why, and nothing is written', async () => {
    const now = new Date();
    const user = await createUser();
    const { session } = await createSession(user.id, meta, now);
    const access = await signAccessToken({ userId: user.id, email: user.email, sessionId: session.id }, now);
    const someKey = await BindingClient.generate();
    const { state } = await start(access.token, someKey, now);
    assert.deepEqual(state, { status: 'error', code: 'refused', message: UNBOUND });
    assert.equal(await db().session.count({ where: { userId: user.id } }), 1);
    assert.equal(await db().labRefreshCopy.count({ where: { userId: user.id } }), 0);
  });

  test('a tier this release does not know is not bound, even with a page key on its row and that key’s proof: refused as unbound', async () => {
    const person = await boundPerson();
    await db().session.update({ where: { id: person.session.id }, data: { bindingKind: 'hardware' } });
    const { state } = await start(person.accessToken, person.client);
    assert.deepEqual(state, { status: 'error', code: 'refused', message: UNBOUND });
    assert.equal(await db().session.count({ where: { userId: person.user.id } }), 1, 'no demonstration session');
  });

  test('a stolen access token with a key of its own cannot start it: no demonstration, no cookie', async () => {
    const person = await boundPerson();
    const thief = await BindingClient.generate();
    const { state, cookiesSet } = await start(person.accessToken, thief);
    assert.deepEqual(state, { status: 'error', code: 'refused', message: NOT_THIS_KEY });
    assert.equal(cookiesSet.size, 0);
    assert.equal(await db().session.count({ where: { userId: person.user.id } }), 1);
  });

  test('nor in a session the browser renews by DBSC: the thief’s key is not the page key the session was bound to', async () => {
    const person = await boundPerson();
    await registerDbsc(person);
    const thief = await BindingClient.generate();
    const { state, cookiesSet } = await start(person.accessToken, thief);
    assert.deepEqual(state, { status: 'error', code: 'refused', message: NOT_THIS_KEY });
    assert.equal(cookiesSet.size, 0);
    assert.equal(await db().session.count({ where: { userId: person.user.id } }), 1, 'no demonstration session');
    assert.equal(await db().securityEvent.count({ where: { userId: person.user.id, type: 'lab_demo_bound' } }), 0, 'nothing on their activity page');
  });

  test('a step-up in a DBSC session keeps the page key: the replacement session can run it, and a thief’s key still cannot', async () => {
    const person = await boundPerson();
    await registerDbsc(person);
    const now = new Date();
    const replaced = await endSessionsTransaction((tx) =>
      replaceSession(tx, { sessionId: person.session.id, userId: person.user.id }, 'reauthenticated', meta, now),
    );
    assert.ok(replaced);
    const access = await signAccessToken({ userId: person.user.id, email: person.user.email, sessionId: replaced.session.id }, now);
    const thief = await BindingClient.generate();
    assert.deepEqual((await start(access.token, thief)).state, { status: 'error', code: 'refused', message: NOT_THIS_KEY });
    const { state } = await start(access.token, person.client);
    assert.equal(state.status, 'success', JSON.stringify(state));
  });

  test('a DBSC session that was never bound to a page key (an API sign-in) has no page key to prove: refused as unbound', async () => {
    const now = new Date();
    const user = await createUser();
    const { session } = await createSession(user.id, meta, now);
    const access = await signAccessToken({ userId: user.id, email: user.email, sessionId: session.id }, now);
    await registerDbsc({ session });
    const someKey = await BindingClient.generate();
    const { state } = await start(access.token, someKey, now);
    assert.deepEqual(state, { status: 'error', code: 'refused', message: UNBOUND });
    assert.equal(await db().session.count({ where: { userId: user.id } }), 1);
  });

  test('the demonstration’s proof is useless against the caller’s own session: refused, nothing consumed, and the owner renews next', async () => {
    const person = await boundPerson();
    const demo = await started(person);
    // Signed by the same key as the person's session, for the same URL: only the nonce differs.
    const demoProof = await person.client.keyProof({ method: 'POST', url: refreshUrl(ORIGIN), nonce: demo.nonce });
    const cookies = { [cookieNames().refresh]: person.refreshToken };
    const replayed = await refresh(apiRequest('/api/auth/refresh', { cookies, headers: { DPoP: demoProof } }));
    assert.equal(replayed.status, 401);
    assert.equal((await ownState(person)).tokenRotatedAt, null, 'nothing consumed');

    const ownNonce = (await ownState(person)).nonce!;
    const renewed = await refresh(
      apiRequest('/api/auth/refresh', { cookies, headers: { DPoP: await person.client.keyProof({ method: 'POST', url: refreshUrl(ORIGIN), nonce: ownNonce }) } }),
    );
    assert.equal(renewed.status, 200, 'the person renews as always');
  });

  test('a stolen access token with a key of its own cannot go on with the owner’s demonstration: refused, nothing tried, and the owner finishes it', async () => {
    const person = await boundPerson();
    const demo = await started(person);
    const thief = await BindingClient.generate();
    const { state, cookiesSet } = await finish(person.accessToken, await thief.keyProof({ method: 'POST', url: refreshUrl(ORIGIN), nonce: demo.nonce }), thief);
    assert.deepEqual(state, { status: 'error', code: 'refused', message: NOT_THIS_KEY });
    assert.equal(cookiesSet.size, 0);
    const demoRow = await db().session.findUniqueOrThrow({ where: { id: demo.demoSessionId } });
    assert.deepEqual({ revokedAt: demoRow.revokedAt, nonce: demoRow.keyProofNonce }, { revokedAt: null, nonce: demo.nonce }, 'the demonstration is untouched');
    assert.equal(await db().securityEvent.count({ where: { userId: person.user.id, type: 'binding_proof_failed' } }), 0);

    const { state: owners } = await finish(person.accessToken, await person.client.keyProof({ method: 'POST', url: refreshUrl(ORIGIN), nonce: demo.nonce }), person.client);
    assert.equal(owners.status, 'success', JSON.stringify(owners));
    assert.deepEqual(
      (owners as { data: RefreshTries }).data.tries.map(({ device, renewed }) => ({ device, renewed })),
      [
        { device: 'this_browser', renewed: true },
        { device: 'own_key', renewed: false },
      ],
    );
  });

  test('nor can a copied access token with nothing but the page’s own renewal proof: no key proof, refused, the demonstration untouched', async () => {
    const person = await boundPerson();
    const demo = await started(person);
    const renewal = await person.client.keyProof({ method: 'POST', url: refreshUrl(ORIGIN), nonce: demo.nonce });
    const { state } = await finish(person.accessToken, renewal, null);
    assert.deepEqual(state, { status: 'error', code: 'refused', message: NOT_THIS_KEY });
    assert.equal((await db().session.findUniqueOrThrow({ where: { id: demo.demoSessionId } })).revokedAt, null);
  });

  test('no answer carries a token: neither the demonstration’s refresh token nor any JWT', async () => {
    const person = await boundPerson();
    const { state: first } = await start(person.accessToken, person.client);
    const copy = await findRefreshCopy({ userId: person.user.id, sessionId: person.session.id });
    const nonce = (first as { data: { nonce: string } }).data.nonce;
    const { state: second } = await finish(person.accessToken, await person.client.keyProof({ method: 'POST', url: refreshUrl(ORIGIN), nonce }), person.client);
    const answers = JSON.stringify([first, second]);
    assert.ok(copy && !answers.includes(copy.refreshToken));
    assert.doesNotMatch(answers, /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/);
  });

  test('only the pressing session can go on with it: the same user in another session finds nothing, and the demonstration stays its owner’s', async () => {
    const person = await boundPerson();
    const demo = await started(person);
    const now = new Date();
    // Even bound to the same key: the copy belongs to the session that made it.
    const sameKey = { publicKey: person.client.publicJwk, thumbprint: await person.client.thumbprint() };
    const other = await createSession(person.user.id, meta, now, db(), keyBindingColumns(sameKey, now));
    const otherAccess = await signAccessToken({ userId: person.user.id, email: person.user.email, sessionId: other.session.id }, now);
    const proof = await person.client.keyProof({ method: 'POST', url: refreshUrl(ORIGIN), nonce: demo.nonce });
    const { state } = await finish(otherAccess.token, proof, person.client);
    assert.deepEqual(state, { status: 'error', code: 'refused', message: NO_DEMO });
    assert.equal((await db().session.findUniqueOrThrow({ where: { id: demo.demoSessionId } })).revokedAt, null);
    assert.equal((await finish(person.accessToken, proof, person.client)).state.status, 'success');
  });
});
