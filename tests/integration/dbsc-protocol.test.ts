/**
 * Device Bound Session Credentials at the protocol level: the real route handlers (sign-in, the two
 * DBSC endpoints, renewal, called the way Next.js calls them) on the real database, driven by a client
 * that holds its own key and signs `dbsc+jwt` proofs exactly as Chromium does (tests/helpers/binding-client.ts).
 * Registration binds the session and withdraws its refresh cookie; refresh needs the registered key's
 * proof on a live, unused challenge; a thief's key ends the session and its owner is told why; a
 * replayed challenge, a missing proof or a foreign Origin end nothing.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';
import { createUser, formData, PASSWORD } from '../helpers/fixtures';
import { APP_ORIGIN, apiRequest, setCookies, type SetCookie } from '../helpers/http';
import { BindingClient, sfString } from '../helpers/binding-client';
import { betweenReadAndWrite } from '../helpers/interleave';
import { db } from '../../lib/db/client';
import { getConfig, parseConfig } from '../../lib/config/config';
import { issueChallenge, offersDbscRegistration } from '../../lib/session/dbsc-challenges';
import { verifyAccessToken } from '../../lib/tokens/access-token';
import { cookieNames, signedOutReasonCookieName } from '../../lib/tokens/cookies';
import { pruneExpiredRecords } from '../../lib/housekeeping';
import { revokeSession } from '../../lib/session/session-store';
import { runSensitiveAction } from '../../lib/sensitive-actions/checked-action';
import { confirmPasswordDefinition } from '../../lib/sensitive-actions/confirm-password-action';
import { changePasswordDefinition } from '../../lib/sensitive-actions/change-password-action';
import { boundCookieMarginSeconds } from '../../lib/tokens/issue-session-cookies';
import { POST as login } from '../../app/api/auth/login/route';
import { POST as logout } from '../../app/api/auth/logout/route';
import { POST as register } from '../../app/api/auth/dbsc/register/route';
import { POST as dbscRefresh } from '../../app/api/auth/dbsc/refresh/route';
import { GET as renewByNavigation, POST as refresh } from '../../app/api/auth/refresh/route';

useTestDatabase();

const names = cookieNames();
const REGISTRATION = /^\(ES256\);path="\/api\/auth\/dbsc\/register";challenge="([A-Za-z0-9_-]{43})"$/;
const CHALLENGE = /^"([A-Za-z0-9_-]{43})";id="([A-Za-z0-9_-]{43})"$/;

/** A browser: its cookie jar, its DBSC key, its DBSC session id and the challenge it cached. */
type Browser = {
  userId: string;
  sessionId: string;
  cookies: Record<string, string>;
  key: BindingClient;
  registrationChallenge: string;
  dbscId?: string;
  cached?: string;
};

function keep(browser: Browser, response: Response) {
  for (const cookie of setCookies(response).values()) {
    if (cookie.value === '') delete browser.cookies[cookie.name];
    else browser.cookies[cookie.name] = cookie.value;
  }
  const challenge = response.headers.get('Secure-Session-Challenge');
  if (challenge && response.status === 200) browser.cached = CHALLENGE.exec(challenge)![1];
}

/** Signs in over the real route: the answer offers registration with a challenge of this session. */
async function signedIn(): Promise<{ browser: Browser; answer: Response }> {
  const user = await createUser();
  const answer = await login(apiRequest('/api/auth/login', { body: { email: user.email, password: PASSWORD } }));
  assert.equal(answer.status, 200, 'signed in');
  const offer = answer.headers.get('Secure-Session-Registration');
  assert.ok(offer, 'the sign-in answer offers DBSC registration');
  const [, challenge] = REGISTRATION.exec(offer) ?? assert.fail(`registration header as the spec writes it: ${offer}`);
  const session = await db().session.findFirstOrThrow({ where: { userId: user.id } });
  const browser: Browser = { userId: user.id, sessionId: session.id, cookies: {}, key: await BindingClient.generate(), registrationChallenge: challenge };
  keep(browser, answer);
  return { browser, answer };
}

/** The registration request as Chromium sends it: POST, no body, the access cookie, the proof bare. */
function registration(browser: Browser, proof: string | undefined, init: { origin?: string | undefined; cookies?: Record<string, string> } = {}) {
  const headers: Record<string, string> = proof === undefined ? {} : { 'Secure-Session-Response': proof };
  const origin = 'origin' in init ? init.origin : APP_ORIGIN;
  return register(apiRequest('/api/auth/dbsc/register', { headers, origin, cookies: init.cookies ?? { [names.access]: browser.cookies[names.access] } }));
}

async function registered(): Promise<Browser> {
  const { browser } = await signedIn();
  const response = await registration(browser, await browser.key.dbscRegistrationProof(browser.registrationChallenge));
  assert.equal(response.status, 200, 'registered');
  keep(browser, response);
  browser.dbscId = ((await response.json()) as { session_identifier: string }).session_identifier;
  return browser;
}

/** A DBSC refresh: Sec-Secure-Session-Id and, when given, the proof; no Origin unless asked (older builds send none). */
function refreshRequest(dbscId: string | undefined, proof?: string, init: { origin?: string; quoted?: boolean } = {}) {
  const form = (value: string) => (init.quoted ? sfString(value) : value);
  const headers: Record<string, string> = {};
  if (dbscId !== undefined) headers['Sec-Secure-Session-Id'] = form(dbscId);
  if (proof !== undefined) headers['Secure-Session-Response'] = form(proof);
  return dbscRefresh(apiRequest('/api/auth/dbsc/refresh', { headers, origin: init.origin }));
}

/** The browser's refresh: without a cached challenge it posts unsigned, takes the 403's challenge and signs that. */
async function browserRefreshes(browser: Browser): Promise<Response> {
  if (!browser.cached) {
    const asked = await refreshRequest(browser.dbscId);
    assert.equal(asked.status, 403);
    browser.cached = challengeOf(asked).challenge;
  }
  const response = await refreshRequest(browser.dbscId, await browser.key.dbscRefreshProof(browser.cached));
  browser.cached = undefined;
  keep(browser, response);
  return response;
}

function challengeOf(response: Response): { challenge: string; id: string } {
  const header = response.headers.get('Secure-Session-Challenge') ?? assert.fail(`no challenge (status ${response.status})`);
  const [, challenge, id] = CHALLENGE.exec(header) ?? assert.fail(`challenge header as the spec writes it: ${header}`);
  return { challenge, id };
}

const sessionRow = (id: string) => db().session.findUniqueOrThrow({ where: { id } });
const liveTokens = (sessionId: string) => db().refreshToken.count({ where: { sessionId, rotatedAt: null, revokedAt: null } });
const eventsOf = (sessionId: string, type: string) => db().securityEvent.count({ where: { sessionId, type } });

async function accessTokenSession(cookie: SetCookie | undefined): Promise<string> {
  const verified = await verifyAccessToken(cookie?.value ?? assert.fail('no access cookie'));
  assert.ok(verified.ok, 'the new access cookie verifies');
  return verified.claims.sessionId;
}

/** The attributes a cookie's Set-Cookie carries, as the instructions would name them: Max-Age and Expires do not count. */
function matchedAttributes(cookie: SetCookie): Record<string, string | true> {
  const { 'max-age': _maxAge, expires: _expires, ...rest } = cookie.attributes;
  return Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, typeof v === 'string' ? v.toLowerCase() : v]));
}

function instructionAttributes(attributes: string): Record<string, string | true> {
  return Object.fromEntries(
    attributes.split(';').map((part) => {
      const [name, value] = part.trim().split('=');
      return [name.toLowerCase(), value === undefined ? true : value.toLowerCase()];
    }),
  );
}

describe('sign-in offers registration', () => {
  test('the answer names the registration path and a challenge stored for this session, alive two minutes', async () => {
    const before = Date.now();
    const { browser } = await signedIn();
    const row = await db().bindingChallenge.findUniqueOrThrow({ where: { challenge: browser.registrationChallenge } });
    assert.equal(row.sessionId, browser.sessionId);
    assert.equal(row.purpose, 'dbsc_registration');
    const life = row.expiresAt.getTime() - before;
    assert.ok(life >= 120_000 && life <= 120_000 + (Date.now() - before), `lives 120 s (${life} ms)`);
  });
});

describe('DEVICE_BOUND_SESSIONS', () => {
  const keys = { ACCESS_TOKEN_KEYS: process.env.ACCESS_TOKEN_KEYS };
  const offers = (env: Record<string, string>) => offersDbscRegistration(parseConfig({ ...keys, ...env }));

  test('auto (the default) offers registration only when access tokens live at least 180 s', () => {
    assert.equal(parseConfig(keys).DEVICE_BOUND_SESSIONS, 'auto');
    assert.equal(offers({}), true, 'the default 300 s');
    assert.equal(offers({ ACCESS_TOKEN_TTL_SECONDS: '180' }), true);
    assert.equal(offers({ ACCESS_TOKEN_TTL_SECONDS: '179' }), false, 'a bound cookie this short would refresh on every request');
  });

  test('on offers it whatever the lifetime, off never; anything else is a configuration error', () => {
    assert.equal(offers({ DEVICE_BOUND_SESSIONS: 'on', ACCESS_TOKEN_TTL_SECONDS: '2' }), true);
    assert.equal(offers({ DEVICE_BOUND_SESSIONS: 'off' }), false);
    assert.throws(() => parseConfig({ ...keys, DEVICE_BOUND_SESSIONS: 'yes' }), /DEVICE_BOUND_SESSIONS/);
  });
});

describe('registration', () => {
  test('binds the session to the key, withdraws its refresh tokens, clears the refresh cookie, re-issues the bound cookie', async () => {
    const { browser } = await signedIn();
    assert.equal(await liveTokens(browser.sessionId), 1);
    const before = Date.now();
    const response = await registration(browser, await browser.key.dbscRegistrationProof(browser.registrationChallenge));
    assert.equal(response.status, 200);
    for (const [header, value] of [['cache-control', 'no-store'], ['x-frame-options', 'DENY'], ['cross-origin-resource-policy', 'same-origin']]) {
      assert.equal(response.headers.get(header), value, header);
    }
    const instructions = (await response.json()) as { session_identifier: string; credentials: Array<{ attributes: string }> };
    const row = await sessionRow(browser.sessionId);
    assert.equal(row.bindingKind, 'dbsc');
    assert.deepEqual(JSON.parse(row.bindingPublicKey!), browser.key.publicJwk);
    assert.equal(row.bindingThumbprint, await browser.key.thumbprint());
    assert.match(row.dbscSessionId!, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(row.dbscSessionId, row.id, 'never the row id, which access tokens carry');
    assert.deepEqual(instructions, {
      session_identifier: row.dbscSessionId,
      refresh_url: '/api/auth/dbsc/refresh',
      scope: {
        origin: APP_ORIGIN,
        include_site: false,
        scope_specification: ['/_next/', '/api/health', '/api/auth/login', '/api/auth/signup'].map((path) => ({ type: 'exclude', domain: 'localhost', path })),
      },
      credentials: [{ type: 'cookie', name: names.access, attributes: 'Path=/; Secure; HttpOnly; SameSite=Lax' }],
    });

    const cookies = setCookies(response);
    const access = cookies.get(names.access)!;
    assert.equal(await accessTokenSession(access), browser.sessionId);
    assert.deepEqual(matchedAttributes(access), instructionAttributes(instructions.credentials[0].attributes), 'the cookie is exactly the one the instructions name');
    const ttl = getConfig().ACCESS_TOKEN_TTL_SECONDS;
    const maxAge = Number(access.attributes['max-age']);
    assert.ok(maxAge <= ttl - 15 && maxAge >= ttl - 15 - Math.ceil((Date.now() - before) / 1000) - 1, `bound cookie Max-Age ${maxAge}: the token's life less 15 s`);
    assert.equal(cookies.get(names.refresh)?.value, '', 'the refresh cookie is cleared');
    assert.equal(cookies.get(names.refresh)?.attributes['max-age'], '0');
    assert.equal(cookies.has(names.hint), false, 'the hint stays: the proxy still sends an expired page to the renewal hop');
    assert.equal(await liveTokens(browser.sessionId), 0, 'no refresh token is left to copy');
    assert.equal(await eventsOf(browser.sessionId, 'session_bound'), 1);
    assert.equal(challengeOf(response).id, row.dbscSessionId, 'the next challenge, for this DBSC session');
  });

  test('a replayed registration, or its challenge signed by another key, is refused and changes nothing', async () => {
    const browser = await registered();
    const proof = await browser.key.dbscRegistrationProof(browser.registrationChallenge);
    const before = await sessionRow(browser.sessionId);
    assert.equal((await registration(browser, proof)).status, 400);
    const thief = await BindingClient.generate();
    assert.equal((await registration(browser, await thief.dbscRegistrationProof(browser.registrationChallenge))).status, 400);
    assert.deepEqual(await sessionRow(browser.sessionId), before);
  });

  test('another session’s challenge, an expired one, or none at all: 400, and the session renews as before', async () => {
    const { browser } = await signedIn();
    const { browser: other } = await signedIn();
    assert.equal((await registration(browser, await browser.key.dbscRegistrationProof(other.registrationChallenge))).status, 400);
    await db().bindingChallenge.update({ where: { challenge: browser.registrationChallenge }, data: { expiresAt: new Date(Date.now() - 1) } });
    assert.equal((await registration(browser, await browser.key.dbscRegistrationProof(browser.registrationChallenge))).status, 400);
    assert.equal((await registration(browser, undefined)).status, 400);
    assert.equal((await registration(browser, 'not.a.jwt')).status, 400);
    for (const id of [browser.sessionId, other.sessionId]) assert.equal((await sessionRow(id)).bindingKind, 'none');
    const renewed = await refresh(apiRequest('/api/auth/refresh', { cookies: { [names.refresh]: browser.cookies[names.refresh] } }));
    assert.equal(renewed.status, 200, 'the session still renews with its refresh cookie');
  });

  test('a session already bound by DBSC cannot be bound again, not even on a live registration challenge', async () => {
    const browser = await registered();
    const challenge = await issueChallenge(db(), browser.sessionId, 'dbsc_registration', new Date());
    const thief = await BindingClient.generate();
    const before = await sessionRow(browser.sessionId);
    assert.equal((await registration(browser, await thief.dbscRegistrationProof(challenge))).status, 400);
    assert.deepEqual(await sessionRow(browser.sessionId), before, 'the key and identifier stay');
  });

  test('without the session’s access cookie: 400, even with a valid proof of the challenge', async () => {
    const { browser } = await signedIn();
    const proof = await browser.key.dbscRegistrationProof(browser.registrationChallenge);
    assert.equal((await registration(browser, proof, { cookies: {} })).status, 400);
    assert.equal((await sessionRow(browser.sessionId)).bindingKind, 'none');
  });
});

describe('refresh', () => {
  test('with the challenge cached at registration: 200, a new bound cookie for the session, the next challenge', async () => {
    const browser = await registered();
    const before = await sessionRow(browser.sessionId);
    const response = await browserRefreshes(browser);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { session_identifier: string };
    assert.equal(body.session_identifier, browser.dbscId);
    assert.equal(await accessTokenSession(setCookies(response).get(names.access)), browser.sessionId);
    assert.equal(challengeOf(response).id, browser.dbscId);
    assert.ok((await sessionRow(browser.sessionId)).lastActiveAt > before.lastActiveAt, 'the idle timeout runs from DBSC refreshes');
  });

  test('found past the idle deadline, but refreshed by a sibling before the timeout is written: decided again, refreshed, nothing ended', async () => {
    const browser = await registered();
    const idle = getConfig().SESSION_IDLE_TIMEOUT_SECONDS;
    await db().session.update({ where: { id: browser.sessionId }, data: { lastActiveAt: new Date(Date.now() - (idle + 60) * 1000) } });
    const response = await betweenReadAndWrite(
      () => db().session.update({ where: { id: browser.sessionId }, data: { lastActiveAt: new Date() } }),
      () => browserRefreshes(browser),
    );
    assert.equal(response.status, 200, 'not terminated');
    const row = await sessionRow(browser.sessionId);
    assert.deepEqual({ revokedAt: row.revokedAt, revokedReason: row.revokedReason }, { revokedAt: null, revokedReason: null });
    assert.equal(await eventsOf(browser.sessionId, 'session_expired'), 0);
  });

  test('without a proof: 403 with a challenge of this session, nothing else; signed, it refreshes', async () => {
    const browser = await registered();
    browser.cached = undefined;
    const asked = await refreshRequest(browser.dbscId);
    assert.equal(asked.status, 403);
    assert.deepEqual([...setCookies(asked).keys()], [], 'no cookie touched');
    const { challenge, id } = challengeOf(asked);
    assert.equal(id, browser.dbscId);
    const row = await db().bindingChallenge.findUniqueOrThrow({ where: { challenge } });
    assert.equal(row.sessionId, browser.sessionId);
    assert.equal(row.purpose, 'dbsc_refresh');
    const signed = await refreshRequest(browser.dbscId, await browser.key.dbscRefreshProof(challenge));
    assert.equal(signed.status, 200);
  });

  test('a thief’s key: 401, the session ended with the reason its owner is then told, one event', async () => {
    const browser = await registered();
    const thief = await BindingClient.generate();
    const asked = await refreshRequest(browser.dbscId);
    const stolen = await refreshRequest(browser.dbscId, await thief.dbscRefreshProof(challengeOf(asked).challenge));
    assert.equal(stolen.status, 401);
    const cookies = setCookies(stolen);
    assert.equal(cookies.get(names.access)?.value, '', 'cookies cleared');
    assert.equal(cookies.get(signedOutReasonCookieName())?.value, 'binding_proof_failed');
    const row = await sessionRow(browser.sessionId);
    assert.ok(row.revokedAt, 'the session ended');
    assert.equal(row.revokedReason, 'binding_proof_failed');
    assert.equal(await eventsOf(browser.sessionId, 'binding_proof_failed'), 1);
    // The owner's browser refreshes next: its session is over, and it is told why.
    const owner = await browserRefreshes(browser);
    assert.equal(owner.status, 401);
    assert.equal(setCookies(owner).get(signedOutReasonCookieName())?.value, 'binding_proof_failed');
    assert.equal(await eventsOf(browser.sessionId, 'binding_proof_failed'), 1, 'one ending, one event');
  });

  test('a proof carrying a key in its header (a registration proof replayed at refresh) ends the session too', async () => {
    const browser = await registered();
    const asked = await refreshRequest(browser.dbscId);
    const replayed = await refreshRequest(browser.dbscId, await browser.key.dbscRegistrationProof(challengeOf(asked).challenge));
    assert.equal(replayed.status, 401);
    assert.equal((await sessionRow(browser.sessionId)).revokedReason, 'binding_proof_failed');
  });

  test('a replayed refresh challenge: 403 with a fresh challenge, the session untouched', async () => {
    const browser = await registered();
    const challenge = browser.cached!;
    const proof = await browser.key.dbscRefreshProof(challenge);
    assert.equal((await refreshRequest(browser.dbscId, proof)).status, 200);
    const replay = await refreshRequest(browser.dbscId, proof);
    assert.equal(replay.status, 403);
    assert.notEqual(challengeOf(replay).challenge, challenge);
    assert.deepEqual([...setCookies(replay).keys()], []);
    assert.equal((await sessionRow(browser.sessionId)).revokedAt, null);
  });

  test('two refreshes racing on one challenge: exactly one wins, the other is asked to sign again, nobody is signed out', async () => {
    const browser = await registered();
    const proof = await browser.key.dbscRefreshProof(browser.cached!);
    const answers = await Promise.all([refreshRequest(browser.dbscId, proof), refreshRequest(browser.dbscId, proof)]);
    assert.deepEqual(answers.map((r) => r.status).sort(), [200, 403]);
    assert.equal((await sessionRow(browser.sessionId)).revokedAt, null);
  });

  test('several outstanding challenges: each accepted once, in any order; the sixth pushes out the first', async () => {
    const browser = await registered();
    await db().bindingChallenge.deleteMany({ where: { sessionId: browser.sessionId } });
    const issued: string[] = [];
    for (let i = 0; i < 3; i++) {
      const asked = await refreshRequest(browser.dbscId);
      issued.push(challengeOf(asked).challenge);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.equal(await db().bindingChallenge.count({ where: { sessionId: browser.sessionId } }), 3, 'three live at once');
    // Reverse order: an older challenge signed after a newer one was issued still counts (the spec's race).
    for (const challenge of [...issued].reverse()) {
      const response = await refreshRequest(browser.dbscId, await browser.key.dbscRefreshProof(challenge));
      assert.equal(response.status, 200, 'accepted once');
    }
    for (const challenge of issued) {
      assert.equal((await refreshRequest(browser.dbscId, await browser.key.dbscRefreshProof(challenge))).status, 403, 'never twice');
    }
    await db().bindingChallenge.deleteMany({ where: { sessionId: browser.sessionId } });
    const six: string[] = [];
    for (let i = 0; i < 6; i++) {
      six.push(challengeOf(await refreshRequest(browser.dbscId)).challenge);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const kept = await db().bindingChallenge.findMany({ where: { sessionId: browser.sessionId }, select: { challenge: true } });
    assert.deepEqual(kept.map((row) => row.challenge).sort(), six.slice(1).sort(), 'at most five live: the oldest went');
    assert.equal((await refreshRequest(browser.dbscId, await browser.key.dbscRefreshProof(six[1]))).status, 200, 'the second is still live');
    assert.equal((await refreshRequest(browser.dbscId, await browser.key.dbscRefreshProof(six[0]))).status, 403, 'the first was pushed out');
  });

  test('an expired challenge, or another session’s: 403 and nothing ends', async () => {
    const browser = await registered();
    const other = await registered();
    const expired = browser.cached!;
    await db().bindingChallenge.update({ where: { challenge: expired }, data: { expiresAt: new Date(Date.now() - 1) } });
    assert.equal((await refreshRequest(browser.dbscId, await browser.key.dbscRefreshProof(expired))).status, 403);
    assert.equal((await refreshRequest(browser.dbscId, await browser.key.dbscRefreshProof(other.cached!))).status, 403);
    assert.equal((await sessionRow(browser.sessionId)).revokedAt, null);
    assert.equal((await sessionRow(other.sessionId)).revokedAt, null);
  });

  test('a registration challenge is not a refresh challenge: 403', async () => {
    const browser = await registered();
    const challenge = await issueChallenge(db(), browser.sessionId, 'dbsc_registration', new Date());
    assert.equal((await refreshRequest(browser.dbscId, await browser.key.dbscRefreshProof(challenge))).status, 403);
    assert.equal(await db().bindingChallenge.count({ where: { challenge } }), 1, 'not consumed');
  });

  test('an unknown or missing session identifier: 404', async () => {
    const browser = await registered();
    assert.equal((await refreshRequest('A'.repeat(43), await browser.key.dbscRefreshProof(browser.cached!))).status, 404);
    assert.equal((await refreshRequest(undefined, await browser.key.dbscRefreshProof(browser.cached!))).status, 404);
    assert.equal((await refreshRequest(browser.sessionId)).status, 404, 'the row id is not the DBSC identifier');
  });

  test('an app session ended elsewhere: 401, cookies cleared and the reason told, with or without a proof', async () => {
    const browser = await registered();
    await revokeSession(browser.sessionId, 'revoked_by_user');
    for (const proof of [undefined, await browser.key.dbscRefreshProof(browser.cached!)]) {
      const response = await refreshRequest(browser.dbscId, proof);
      assert.equal(response.status, 401);
      assert.equal(setCookies(response).get(signedOutReasonCookieName())?.value, 'revoked_by_user');
    }
  });

  test('both header forms: bare, as Chromium sends them, and quoted sf-strings, as the spec writes them', async () => {
    const browser = await registered();
    const quoted = await refreshRequest(browser.dbscId, await browser.key.dbscRefreshProof(browser.cached!), { quoted: true });
    assert.equal(quoted.status, 200);
    keep(browser, quoted);
    const bare = await refreshRequest(browser.dbscId, await browser.key.dbscRefreshProof(browser.cached!));
    assert.equal(bare.status, 200);
    const { browser: fresh } = await signedIn();
    const response = await registration(fresh, sfString(await fresh.key.dbscRegistrationProof(fresh.registrationChallenge)));
    assert.equal(response.status, 200, 'a quoted registration proof');
  });
});

describe('the Origin rule on exactly these two endpoints', () => {
  test('refresh: no Origin or its own origin is served; a foreign or null Origin is refused before anything runs', async () => {
    const browser = await registered();
    for (const origin of ['https://evil.example', 'null']) {
      const refused = await refreshRequest(browser.dbscId, await browser.key.dbscRefreshProof(browser.cached!), { origin });
      assert.equal(refused.status, 403);
      assert.equal(refused.headers.get('Secure-Session-Challenge'), null, 'refused by the wrapper, not asked to sign');
    }
    assert.equal((await refreshRequest(browser.dbscId, await browser.key.dbscRefreshProof(browser.cached!), { origin: APP_ORIGIN })).status, 200);
    const asked = await refreshRequest(browser.dbscId);
    assert.equal((await refreshRequest(browser.dbscId, await browser.key.dbscRefreshProof(challengeOf(asked).challenge))).status, 200, 'no Origin');
  });

  test('registration: a foreign or null Origin is refused; none, or its own, registers', async () => {
    const { browser } = await signedIn();
    const proof = await browser.key.dbscRegistrationProof(browser.registrationChallenge);
    for (const origin of ['https://evil.example', 'null']) assert.equal((await registration(browser, proof, { origin })).status, 403);
    assert.equal((await sessionRow(browser.sessionId)).bindingKind, 'none');
    assert.equal((await registration(browser, proof, { origin: undefined })).status, 200, 'no Origin');
    const { browser: second } = await signedIn();
    assert.equal((await registration(second, await second.key.dbscRegistrationProof(second.registrationChallenge), { origin: APP_ORIGIN })).status, 200);
  });
});

/** A server action's request from the bound browser (same origin, its access cookie), recording the cookies it sets. */
function actionRequest(accessToken: string) {
  const recording = new Map<string, { value: string; maxAge: number }>();
  const request = {
    headers: new Headers({ origin: APP_ORIGIN, host: 'localhost:3000' }),
    accessToken,
    mayRenew: true,
    cookies: { set: (name: string, value: string, options: { maxAge: number }) => void recording.set(name, { value, maxAge: options.maxAge }) },
    now: new Date(),
  };
  return { request, recording };
}

describe('the rest of the app with a DBSC session', () => {
  test('the refresh cookie copied before registration cannot renew (dbsc_bound) and ends nothing', async () => {
    const { browser } = await signedIn();
    const copied = browser.cookies[names.refresh];
    const response = await registration(browser, await browser.key.dbscRegistrationProof(browser.registrationChallenge));
    keep(browser, response);
    browser.dbscId = ((await response.json()) as { session_identifier: string }).session_identifier;
    const thief = await refresh(apiRequest('/api/auth/refresh', { cookies: { [names.refresh]: copied } }));
    assert.equal(thief.status, 401);
    assert.deepEqual([...setCookies(thief).keys()], [], 'refused without touching cookies or telling anything');
    assert.equal((await sessionRow(browser.sessionId)).revokedAt, null, 'the session lives on');
    assert.equal((await browserRefreshes(browser)).status, 200, 'the owner still refreshes');
  });

  test('the page’s renewal with a fresh bound cookie is answered with the timeline, writing nothing', async () => {
    const browser = await registered();
    const response = await refresh(apiRequest('/api/auth/refresh', { cookies: { [names.access]: browser.cookies[names.access] } }));
    assert.equal(response.status, 200);
    const body = (await response.json()) as { sessionId: string; session: { state: string } };
    assert.equal(body.sessionId, browser.sessionId);
    assert.equal(body.session.state, 'active');
    assert.deepEqual([...setCookies(response).keys()], [], 'no cookie written: the browser’s DBSC refresh minted it');
  });

  test('the renewal hop with the hint but no refresh cookie answers the renewal page, never sign-in', async () => {
    const browser = await registered();
    const hop = await renewByNavigation(
      apiRequest('/api/auth/refresh?next=/dashboard', { method: 'GET', origin: undefined, cookies: { [names.hint]: '1' }, headers: { 'sec-fetch-site': 'same-origin' } }),
    );
    assert.equal(hop.status, 200);
    assert.match(hop.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(hop.headers.get('location'), null);
    assert.equal((await sessionRow(browser.sessionId)).revokedAt, null);
  });

  test('step-up carries the binding over: the next DBSC refresh mints the new session’s token', async () => {
    const browser = await registered();
    const cached = browser.cached!;
    const { request, recording } = actionRequest(browser.cookies[names.access]);
    const confirmed = await runSensitiveAction(confirmPasswordDefinition, request, formData({ password: PASSWORD }));
    assert.equal(confirmed.status, 'success');
    assert.equal(recording.has(names.refresh), false, 'no refresh cookie comes back');
    const ttl = getConfig().ACCESS_TOKEN_TTL_SECONDS;
    assert.equal(recording.get(names.access)?.maxAge, ttl - boundCookieMarginSeconds(), 'the new access cookie is the bound one, gone before its token');
    const old = await sessionRow(browser.sessionId);
    assert.equal(old.revokedReason, 'reauthenticated');
    assert.equal(old.dbscSessionId, null);
    const fresh = await db().session.findFirstOrThrow({ where: { userId: browser.userId, revokedAt: null } });
    assert.equal(fresh.bindingKind, 'dbsc');
    assert.equal(fresh.dbscSessionId, browser.dbscId);
    assert.equal(fresh.bindingPublicKey, old.bindingPublicKey);
    assert.equal(await db().refreshToken.count({ where: { sessionId: fresh.id } }), 0);
    const next = await refreshRequest(browser.dbscId, await browser.key.dbscRefreshProof(cached));
    assert.equal(next.status, 200, 'the challenge cached before the step-up still counts');
    assert.equal(await accessTokenSession(setCookies(next).get(names.access)), fresh.id);
  });

  test('a password change in a DBSC session: the browser goes on in the new row with the bound cookie and no refresh cookie', async () => {
    const browser = await registered();
    const { request, recording } = actionRequest(browser.cookies[names.access]);
    const newPassword = 'a different horse battery staple';
    const changed = await runSensitiveAction(changePasswordDefinition, request, formData({ currentPassword: PASSWORD, newPassword, confirmPassword: newPassword }));
    assert.equal(changed.status, 'success', JSON.stringify(changed));
    assert.equal(recording.has(names.refresh), false, 'no refresh cookie comes back');
    const ttl = getConfig().ACCESS_TOKEN_TTL_SECONDS;
    assert.equal(recording.get(names.access)?.maxAge, ttl - boundCookieMarginSeconds(), 'the bound cookie, gone before its token');
    const fresh = await db().session.findFirstOrThrow({ where: { userId: browser.userId, revokedAt: null } });
    const verified = await verifyAccessToken(recording.get(names.access)?.value ?? assert.fail("no access cookie"));
    assert.equal(verified.ok && verified.claims.sessionId, fresh.id);
    assert.equal(fresh.dbscSessionId, browser.dbscId, 'the browser’s DBSC session now names the new row');
  });

  test('sign-out with the bound cookie alone (there is no refresh cookie) ends the session; the next DBSC refresh is refused', async () => {
    const browser = await registered();
    const response = await logout(apiRequest('/api/auth/logout', { cookies: { [names.access]: browser.cookies[names.access] } }));
    assert.equal(response.status, 200);
    assert.equal((await sessionRow(browser.sessionId)).revokedReason, 'logout');
    const after = await browserRefreshes(browser);
    assert.equal(after.status, 401, 'which ends the browser’s DBSC session too');
    assert.equal(setCookies(after).has(signedOutReasonCookieName()), false, 'signed out by their own hand: nothing to explain');
  });

  test('housekeeping deletes expired challenges and keeps live ones', async () => {
    const browser = await registered();
    const live = browser.cached!;
    const asked = challengeOf(await refreshRequest(browser.dbscId)).challenge;
    await db().bindingChallenge.update({ where: { challenge: asked }, data: { expiresAt: new Date(Date.now() - 1) } });
    const counts = await pruneExpiredRecords();
    assert.ok(counts.bindingChallenges >= 1, `pruned ${counts.bindingChallenges} expired challenges`);
    assert.equal(await db().bindingChallenge.count({ where: { challenge: asked } }), 0);
    assert.equal(await db().bindingChallenge.count({ where: { challenge: live } }), 1);
  });
});
