/**
 * The data access layer is the second gate, the one that still stands when the proxy is skipped
 * (CVE-2025-29927 let a header bypass middleware). So it must refuse a forged access token on its own,
 * with no proxy in front: both tiers are called here directly with the cookies an attacker would send.
 * Every forged token names a real user's live session, so only the signature check stands between
 * the attacker and that session.
 */
// database: sqlite-only — forged tokens are refused by the signature and claim checks; rows are only read by id
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { SignJWT, UnsecuredJWT, base64url } from 'jose';
import { useTestDatabase } from '../helpers/database';
import { secondsLater, signedInUser } from '../helpers/fixtures';
import { verifyLiveSession, verifySession, type CookieReader } from '../../lib/dal';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER, signAccessToken } from '../../lib/tokens/access-token';
import { cookieNames } from '../../lib/tokens/cookies';

useTestDatabase();

/** The signing key the app uses (tests/helpers/integration-setup.ts generated it): `kid:base64url-secret`, first one signs. */
const [signingKid, signingSecret] = process.env.ACCESS_TOKEN_KEYS!.split(',')[0].split(':');
const appSecret = new Uint8Array(Buffer.from(signingSecret, 'base64url'));

/** The cookies a request carries, as `await cookies()` or `NextRequest.cookies` would give them. */
function jarWith(values: Record<string, string>): CookieReader {
  return {
    get: (name) => (name in values ? { value: values[name] } : undefined),
    has: (name) => name in values,
  };
}

const accessJar = (token: string) => jarWith({ [cookieNames().access]: token, [cookieNames().hint]: '1' });

type Victim = Awaited<ReturnType<typeof signedInUser>>;

/** Claims for the victim's live session, every one of them right. */
function victimClaims(victim: Victim, now: Date) {
  const iat = Math.floor(now.getTime() / 1000);
  return {
    iss: ACCESS_TOKEN_ISSUER,
    aud: ACCESS_TOKEN_AUDIENCE,
    sub: victim.user.id,
    sid: victim.session.id,
    email: victim.user.email,
    jti: 'forged',
    iat,
    exp: iat + 300,
  };
}

/** Each way an attacker would make a token, all naming the victim's live session. */
async function forgeries(victim: Victim, now: Date): Promise<Array<[string, string]>> {
  const claims = victimClaims(victim, now);
  const header = { alg: 'HS256', typ: 'at+jwt', kid: signingKid };
  const unsigned = new UnsecuredJWT(claims).encode();
  const otherKey = await new SignJWT(claims).setProtectedHeader(header).sign(randomBytes(32));
  const unknownKid = await new SignJWT(claims).setProtectedHeader({ ...header, kid: 'attacker' }).sign(appSecret);
  // A genuine token of the attacker's own, with the payload swapped for the victim's session.
  const attacker = await signedInUser(now);
  const [genuineHeader, , genuineSignature] = attacker.accessToken.split('.');
  const tampered = `${genuineHeader}.${base64url.encode(JSON.stringify(claims))}.${genuineSignature}`;
  // The same, with the signature removed.
  const strippedSignature = `${genuineHeader}.${base64url.encode(JSON.stringify(claims))}.`;
  return [
    ['alg none (unsigned)', unsigned],
    ['signed with another key under the real kid', otherKey],
    ['an unknown kid', unknownKid],
    ["a genuine token with the victim's payload pasted in", tampered],
    ['a genuine header with the signature stripped', strippedSignature],
  ];
}

describe('verifySession, the stateless tier (no proxy in front)', () => {
  test('a genuine token gives its claims (the control: the forgeries below differ only in signature)', async () => {
    const now = new Date();
    const victim = await signedInUser(now);
    const claims = await verifySession({ cookies: accessJar(victim.accessToken), now });
    assert.equal(claims?.userId, victim.user.id);
    assert.equal(claims?.sessionId, victim.session.id);
    assert.equal(claims?.email, victim.user.email);
  });

  test('every forged token reads as signed out: null, never the claims it carries', async () => {
    const now = new Date();
    const victim = await signedInUser(now);
    for (const [name, token] of await forgeries(victim, now)) {
      assert.equal(await verifySession({ cookies: accessJar(token), now }), null, name);
    }
  });

  test('an expired genuine token reads as signed out', async () => {
    const issuedAt = new Date();
    const victim = await signedInUser(issuedAt);
    assert.equal(await verifySession({ cookies: accessJar(victim.accessToken), now: secondsLater(issuedAt, 300) }), null);
    assert.ok(await verifySession({ cookies: accessJar(victim.accessToken), now: secondsLater(issuedAt, 299) }), 'valid until then');
  });

  test('no access cookie, or the token under another cookie name, reads as signed out', async () => {
    const now = new Date();
    const victim = await signedInUser(now);
    assert.equal(await verifySession({ cookies: jarWith({}), now }), null);
    assert.equal(await verifySession({ cookies: jarWith({ access_token: victim.accessToken, [cookieNames().hint]: '1' }), now }), null);
  });
});

describe('verifyLiveSession, the stateful tier behind sensitive actions (no proxy in front)', () => {
  test('a genuine token for a live session passes (the control)', async () => {
    const now = new Date();
    const victim = await signedInUser(now);
    const check = await verifyLiveSession({ accessToken: victim.accessToken, mayRenew: true, now });
    assert.ok(check.ok, JSON.stringify(check));
    assert.equal(check.session.id, victim.session.id);
  });

  test('every forged token naming a live session is refused as ended (not renewable), even with the hint cookie', async () => {
    const now = new Date();
    const victim = await signedInUser(now);
    for (const [name, token] of await forgeries(victim, now)) {
      assert.deepEqual(await verifyLiveSession({ accessToken: token, mayRenew: true, now }), { ok: false, reason: 'ended' }, name);
    }
  });

  test('an expired genuine token is renewable, not accepted', async () => {
    const issuedAt = new Date();
    const victim = await signedInUser(issuedAt);
    const later = secondsLater(issuedAt, 300);
    assert.deepEqual(await verifyLiveSession({ accessToken: victim.accessToken, mayRenew: true, now: later }), {
      ok: false,
      reason: 'renewable',
    });
  });

  test('a freshly signed token for a session that is not live is ended: the row, not the token, decides', async () => {
    const now = new Date();
    const victim = await signedInUser(now);
    const stranger = await signedInUser(now);
    const crossed = await signAccessToken({ userId: stranger.user.id, email: stranger.user.email, sessionId: victim.session.id }, now);
    assert.deepEqual(await verifyLiveSession({ accessToken: crossed.token, mayRenew: true, now }), { ok: false, reason: 'ended' });
  });
});
