/**
 * The fallback tier end to end through the real route handlers (sign-in and renewal, called the way
 * Next.js calls them) on the real database: a session bound to the sign-in page's key renews only with
 * that key's proof on the session's current nonce. A copied refresh cookie without the key is refused
 * and ends nothing; a proof by another key ends the session and tells its owner why; a replayed proof
 * or a drifted clock is asked to sign again; two renewals on one nonce both stay signed in.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';
import { createUser, PASSWORD } from '../helpers/fixtures';
import { APP_ORIGIN, apiRequest, setCookies } from '../helpers/http';
import { BindingClient } from '../helpers/binding-client';
import { db } from '../../lib/db/client';
import { cookieNames, signedOutReasonCookieName } from '../../lib/tokens/cookies';
import { POST as login } from '../../app/api/auth/login/route';
import { GET as renewByNavigation, POST as refresh } from '../../app/api/auth/refresh/route';

useTestDatabase();

const names = cookieNames();
const LOGIN_URL = `${APP_ORIGIN}/api/auth/login`;
const REFRESH_URL = `${APP_ORIGIN}/api/auth/refresh`;

/** A browser: its cookie jar, its key, and the nonce it was last handed. */
type Browser = { cookies: Record<string, string>; client: BindingClient; nonce?: string; sessionId: string };

function keep(browser: Browser, response: Response) {
  for (const cookie of setCookies(response).values()) {
    if (cookie.value === '') delete browser.cookies[cookie.name];
    else browser.cookies[cookie.name] = cookie.value;
  }
  browser.nonce = response.headers.get('DPoP-Nonce') ?? browser.nonce;
}

async function boundBrowser(): Promise<Browser> {
  const user = await createUser();
  const client = await BindingClient.generate();
  const proof = await client.keyProof({ method: 'POST', url: LOGIN_URL });
  const response = await login(apiRequest('/api/auth/login', { body: { email: user.email, password: PASSWORD }, headers: { DPoP: proof } }));
  assert.equal(response.status, 200, 'signed in');
  const session = await db().session.findFirstOrThrow({ where: { userId: user.id } });
  const browser: Browser = { cookies: {}, client, sessionId: session.id };
  keep(browser, response);
  assert.ok(browser.nonce, 'the sign-in answer hands out a nonce');
  return browser;
}

/** A renewal as the page's script sends it: refresh cookie only (the access token has run out), `DPoP` if given. */
function renew(cookies: Record<string, string>, proof?: string) {
  const jar = { [names.refresh]: cookies[names.refresh] };
  return refresh(apiRequest('/api/auth/refresh', { cookies: jar, headers: proof ? { DPoP: proof } : {} }));
}

async function ownerRenews(browser: Browser) {
  const response = await renew(browser.cookies, await browser.client.keyProof({ method: 'POST', url: REFRESH_URL, nonce: browser.nonce }));
  keep(browser, response);
  return response;
}

const sessionRow = (id: string) => db().session.findUniqueOrThrow({ where: { id } });
const liveTokens = (sessionId: string) => db().refreshToken.count({ where: { sessionId, rotatedAt: null, revokedAt: null } });

describe('sign-in binds the session to the page key', () => {
  test('with a proof: the key, its thumbprint and a nonce are stored', async () => {
    const browser = await boundBrowser();
    const row = await sessionRow(browser.sessionId);
    assert.equal(row.bindingKind, 'key_proof');
    assert.deepEqual(JSON.parse(row.bindingPublicKey!), browser.client.publicJwk);
    assert.equal(row.keyProofNonce, browser.nonce);
  });

  test('without a proof (no WebCrypto, an API client): an unbound session, no nonce', async () => {
    const user = await createUser();
    const response = await login(apiRequest('/api/auth/login', { body: { email: user.email, password: PASSWORD } }));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('DPoP-Nonce'), null);
    assert.equal((await db().session.findFirstOrThrow({ where: { userId: user.id } })).bindingKind, 'none');
  });

  test('with a broken proof (another URL, or a forged signature): 400, no session, no failed password', async () => {
    const user = await createUser();
    const client = await BindingClient.generate();
    const thief = await BindingClient.generate();
    const forged = (await thief.keyProof({ method: 'POST', url: LOGIN_URL })).replace(/^[^.]+/, (await client.keyProof({ method: 'POST', url: LOGIN_URL })).split('.')[0]);
    for (const proof of [await client.keyProof({ method: 'POST', url: REFRESH_URL }), forged]) {
      const response = await login(apiRequest('/api/auth/login', { body: { email: user.email, password: PASSWORD }, headers: { DPoP: proof } }));
      assert.equal(response.status, 400);
      assert.match(((await response.json()) as { error: string }).error, /could not set up its sign-in key/);
    }
    assert.equal(await db().session.count({ where: { userId: user.id } }), 0);
    assert.equal(await db().securityEvent.count({ where: { userId: user.id, type: 'login_failed' } }), 0);
  });
});

describe('renewal of a key-bound session', () => {
  test('the key holder renews; a rotation swaps the nonce, an answer that rotates nothing keeps it', async () => {
    const browser = await boundBrowser();
    const signedIn = browser.nonce;
    assert.equal((await ownerRenews(browser)).status, 200);
    assert.notEqual(browser.nonce, signedIn, 'the rotation swapped the nonce');
    assert.equal((await sessionRow(browser.sessionId)).keyProofNonce, browser.nonce);
    // At once again: the successor is younger than the grace window, so the pair comes back unrotated.
    const rotated = browser.nonce;
    assert.equal((await ownerRenews(browser)).status, 200);
    assert.equal(browser.nonce, rotated);
  });

  test('a copied refresh cookie without the key: 401, nothing consumed, nothing ended, the owner renews next', async () => {
    const browser = await boundBrowser();
    const response = await renew({ ...browser.cookies });
    assert.equal(response.status, 401);
    assert.deepEqual([...setCookies(response).keys()], [], 'no cookie touched');
    assert.equal(((await response.json()) as { reason: string }).reason, 'key_missing');
    assert.equal((await sessionRow(browser.sessionId)).revokedAt, null);
    assert.equal(await db().refreshToken.count({ where: { sessionId: browser.sessionId, rotatedAt: { not: null } } }), 0, 'not consumed');
    assert.equal((await ownerRenews(browser)).status, 200);
  });

  test('a binding value this build does not know fails closed: the refresh cookie alone renews nothing, and nothing ends', async () => {
    const browser = await boundBrowser();
    await db().session.update({ where: { id: browser.sessionId }, data: { bindingKind: 'a_future_tier' } });
    const response = await renew({ ...browser.cookies });
    assert.equal(response.status, 401);
    assert.deepEqual([...setCookies(response).keys()], [], 'no cookie touched');
    assert.equal((await sessionRow(browser.sessionId)).revokedAt, null);
    assert.equal(await db().refreshToken.count({ where: { sessionId: browser.sessionId, rotatedAt: { not: null } } }), 0, 'not consumed');
  });

  test('a proof by another key ends the session, with an event; the owner is told why at the next renewal', async () => {
    const browser = await boundBrowser();
    const thief = await BindingClient.generate();
    const stolen = { ...browser.cookies };
    const response = await renew(stolen, await thief.keyProof({ method: 'POST', url: REFRESH_URL, nonce: browser.nonce }));
    assert.equal(response.status, 401);
    assert.equal(setCookies(response).get(signedOutReasonCookieName())?.value, 'binding_proof_failed');
    const row = await sessionRow(browser.sessionId);
    assert.equal(row.revokedReason, 'binding_proof_failed');
    assert.equal(await liveTokens(browser.sessionId), 0);
    assert.equal(await db().securityEvent.count({ where: { sessionId: browser.sessionId, type: 'binding_proof_failed' } }), 1);
    const owner = await ownerRenews(browser);
    assert.equal(owner.status, 401);
    assert.equal(setCookies(owner).get(signedOutReasonCookieName())?.value, 'binding_proof_failed', 'the owner learns why');
  });

  test('the key’s proof made for another URL (a captured sign-in or API proof) ends the session', async () => {
    const browser = await boundBrowser();
    const response = await renew(browser.cookies, await browser.client.keyProof({ method: 'POST', url: `${APP_ORIGIN}/api/me`, nonce: browser.nonce }));
    assert.equal(response.status, 401);
    assert.equal((await sessionRow(browser.sessionId)).revokedReason, 'binding_proof_failed');
  });

  test('a replayed proof is asked to sign again on the current nonce: nothing consumed, the owner unaffected', async () => {
    const browser = await boundBrowser();
    const proof = await browser.client.keyProof({ method: 'POST', url: REFRESH_URL, nonce: browser.nonce });
    const stolen = { ...browser.cookies };
    const first = await renew(browser.cookies, proof);
    assert.equal(first.status, 200);
    keep(browser, first);
    const replay = await renew(stolen, proof);
    assert.equal(replay.status, 401);
    assert.equal(((await replay.json()) as { retry: string }).retry, 'use_dpop_nonce');
    assert.equal(replay.headers.get('DPoP-Nonce'), browser.nonce, 'the current nonce, which only the key can sign');
    assert.deepEqual([...setCookies(replay).keys()], []);
    assert.equal((await sessionRow(browser.sessionId)).revokedAt, null);
    assert.equal((await ownerRenews(browser)).status, 200);
  });

  test('a stale clock is asked to sign again, with the server time', async () => {
    const browser = await boundBrowser();
    const slow = new Date(Date.now() - 10 * 60_000);
    const response = await renew(browser.cookies, await browser.client.keyProof({ method: 'POST', url: REFRESH_URL, nonce: browser.nonce, now: slow }));
    assert.equal(response.status, 401);
    const body = (await response.json()) as { retry: string; serverTime: string };
    assert.equal(body.retry, 'use_dpop_nonce');
    assert.ok(Math.abs(Date.parse(body.serverTime) - Date.now()) < 5_000);
    assert.equal((await ownerRenews(browser)).status, 200);
  });

  test('two tabs renewing at once on one nonce: one rotates, the other signs again and gets the sibling pair', async () => {
    const browser = await boundBrowser();
    const sign = () => browser.client.keyProof({ method: 'POST', url: REFRESH_URL, nonce: browser.nonce });
    const pair = await Promise.all([renew(browser.cookies, await sign()), renew(browser.cookies, await sign())]);
    const statuses = pair.map((r) => r.status).sort();
    assert.ok(statuses[0] === 200, `one renewed: ${statuses}`);
    for (const response of pair) {
      if (response.status === 200) continue;
      // The loser: asked to sign again with the winner's nonce; its retry (still the old cookie) is a sibling.
      assert.equal(((await response.json()) as { retry: string }).retry, 'use_dpop_nonce');
      const nonce = response.headers.get('DPoP-Nonce')!;
      const retry = await renew(browser.cookies, await browser.client.keyProof({ method: 'POST', url: REFRESH_URL, nonce }));
      assert.equal(retry.status, 200, 'the retry renews');
    }
    assert.equal((await sessionRow(browser.sessionId)).revokedAt, null, 'nobody signed out');
    assert.equal(await db().securityEvent.count({ where: { sessionId: browser.sessionId, type: { in: ['refresh_token_reuse', 'binding_proof_failed'] } } }), 0);
  });
});

describe('navigations', () => {
  test('the GET hop of a key-bound session answers the signing renewal page and rotates nothing', async () => {
    const browser = await boundBrowser();
    const response = await renewByNavigation(
      apiRequest('/api/auth/refresh?next=%2Fdashboard', {
        method: 'GET',
        cookies: { [names.refresh]: browser.cookies[names.refresh] },
        headers: { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'navigate', accept: 'text/html' },
      }),
    );
    assert.equal(response.status, 200);
    const html = await response.text();
    assert.match(html, /indexedDB\.open\('session-binding'/);
    const script = html.match(/<script>([\s\S]*)<\/script>/)![1];
    const { createHash } = await import('node:crypto');
    const hash = createHash('sha256').update(script).digest('base64');
    assert.ok(response.headers.get('content-security-policy')!.includes(`'sha256-${hash}'`), 'the CSP allows exactly its script');
    assert.match(response.headers.get('content-security-policy')!, /connect-src 'self'/);
    assert.equal(await db().refreshToken.count({ where: { sessionId: browser.sessionId, rotatedAt: { not: null } } }), 0);
  });

  test('the renewal form posted without a key lands on sign-in with the key-missing note, ending nothing', async () => {
    const browser = await boundBrowser();
    const response = await refresh(
      apiRequest('/api/auth/refresh?next=%2Fpayments', {
        cookies: { [names.refresh]: browser.cookies[names.refresh] },
        headers: { 'sec-fetch-mode': 'navigate', accept: 'text/html' },
      }),
    );
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), '/login?next=%2Fpayments&reason=key_missing');
    assert.equal((await sessionRow(browser.sessionId)).revokedAt, null);
  });
});
