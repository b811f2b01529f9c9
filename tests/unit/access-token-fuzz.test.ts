/**
 * ASVS v5 9.1.1, 9.1.2, 9.2.1-9.2.3: property-based fuzzing of access-token parsing with fast-check.
 * Random inputs, random single-character mutations of genuine tokens, and tokens signed with the
 * app's own key but random claims, each checked against an oracle written from the rules in
 * lib/tokens/access-token.ts. Properties: the verifier never throws, never accepts what the
 * rules refuse, accepts what they allow, and hands back exactly the claims that were signed.
 *
 * On a failure fast-check prints the seed and the shrunk counterexample; re-run it with
 * `fc.assert(..., { seed, path })` from that report. Runs are kept small (a few hundred tokens).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { base64url, SignJWT } from 'jose';

const appSecret = randomBytes(32);
process.env.ACCESS_TOKEN_KEYS = `fuzz:${appSecret.toString('base64url')}`;
process.env.ACCESS_TOKEN_TTL_SECONDS = '300';
const TTL = 300;

const { NextRequest } = await import('next/server');
const { proxy } = await import('../../proxy');
const { signAccessToken, verifyAccessToken, ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER, ISSUED_AT_CLOCK_SKEW_SECONDS } = await import(
  '../../lib/tokens/access-token'
);
const { cookieNames } = await import('../../lib/tokens/cookies');

const now = new Date('2026-06-01T12:00:00Z');
const nowSeconds = Math.floor(now.getTime() / 1000);

/** Identifiers as the app makes them (cuid/uuid-like) and emails as signup accepts them. */
const id = fc.stringMatching(/^[a-z0-9-]{1,40}$/);
const subject = fc.record({ userId: id, sessionId: id, email: fc.emailAddress() });

/** Any value JSON can carry, to put where a claim belongs. */
const jsonValue = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }));

describe('token parsing never throws and never accepts noise (ASVS 9.1.1)', () => {
  test('any string at all: refused as invalid, never an exception', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary-ascii', maxLength: 400 })), async (input) => {
        assert.deepEqual(await verifyAccessToken(input, now), { ok: false, reason: 'invalid' });
      }),
      { numRuns: 300 },
    );
  });

  test('three base64url parts holding any JSON: refused (no signature the app made)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.json(), fc.json(), fc.base64String(), async (header, payload, signature) => {
        const token = `${base64url.encode(header)}.${base64url.encode(payload)}.${signature.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')}`;
        assert.equal((await verifyAccessToken(token, now)).ok, false);
      }),
      { numRuns: 200 },
    );
  });

  test('a genuine token with any one character changed is refused unless it still decodes to the very same bytes', async () => {
    const { token } = await signAccessToken({ userId: 'user-1', email: 'alice@example.com', sessionId: 'session-1' }, now);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ';
    const decoded = (t: string) => t.split('.').map((part) => Buffer.from(part, 'base64url').toString('hex')).join('.');
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: token.length - 1 }), fc.constantFrom(...alphabet), async (at, replacement) => {
        fc.pre(token[at] !== replacement);
        const mutated = token.slice(0, at) + replacement + token.slice(at + 1);
        const result = await verifyAccessToken(mutated, now);
        // base64url's last character can carry unused bits: such a change names the same bytes, the
        // same signed content, and may verify. Anything else must not.
        if (result.ok) assert.equal(decoded(mutated), decoded(token), `accepted a mutation at ${at}: ${mutated}`);
      }),
      { numRuns: 400 },
    );
  });
});

describe('round trip: what the app signs verifies, with exactly the signed claims', () => {
  test('any subject, any moment inside the lifetime', async () => {
    await fc.assert(
      fc.asyncProperty(subject, fc.integer({ min: 0, max: TTL - 1 }), async (who, age) => {
        const signed = await signAccessToken(who, now);
        const result = await verifyAccessToken(signed.token, new Date(now.getTime() + age * 1000));
        assert.ok(result.ok, JSON.stringify(result));
        assert.equal(result.claims.userId, who.userId);
        assert.equal(result.claims.sessionId, who.sessionId);
        assert.equal(result.claims.email, who.email);
        assert.equal(result.claims.expiresAt.getTime(), signed.expiresAt.getTime());
      }),
      { numRuns: 100 },
    );
  });
});

/**
 * Tokens signed with the app's own key, so only the claims decide. The oracle is the rule set of
 * lib/tokens/access-token.ts, written out independently.
 */
describe('claims fuzz with the real key: accepted exactly when every rule holds (ASVS 9.2.1-9.2.3)', () => {
  const mediaType = (typ: unknown) => (typeof typ === 'string' ? typ.toLowerCase().replace(/^application\//, '') : typ);

  function shouldAccept(header: Record<string, unknown>, claims: Record<string, unknown>): boolean {
    const { iss, aud, sub, sid, email, jti, iat, exp, nbf } = claims;
    const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
    return (
      mediaType(header.typ) === 'at+jwt' &&
      iss === ACCESS_TOKEN_ISSUER &&
      (aud === ACCESS_TOKEN_AUDIENCE || (Array.isArray(aud) && aud.includes(ACCESS_TOKEN_AUDIENCE))) &&
      typeof sub === 'string' && sub !== '' &&
      typeof sid === 'string' && sid !== '' &&
      typeof email === 'string' && email !== '' &&
      typeof jti === 'string' && jti !== '' &&
      isNumber(iat) && isNumber(exp) &&
      (nbf === undefined || (isNumber(nbf) && nbf <= nowSeconds)) &&
      exp > nowSeconds &&
      iat !== 0 &&
      iat <= nowSeconds + ISSUED_AT_CLOCK_SKEW_SECONDS &&
      nowSeconds - iat < TTL
    );
  }

  const around = (spread: number) => fc.integer({ min: nowSeconds - spread, max: nowSeconds + spread });
  const good = {
    iss: fc.constant(ACCESS_TOKEN_ISSUER),
    aud: fc.constant(ACCESS_TOKEN_AUDIENCE),
    sub: id,
    sid: id,
    email: fc.emailAddress(),
    jti: id,
    iat: around(TTL),
    exp: around(TTL),
  };
  // Each claim: mostly right (so that some tokens get through all nine checks), sometimes any JSON
  // value, sometimes absent.
  const claim = <T,>(right: fc.Arbitrary<T>) =>
    fc.oneof({ weight: 20, arbitrary: right }, { weight: 2, arbitrary: jsonValue }, { weight: 1, arbitrary: fc.constant(undefined) });
  const claims = fc.record({
    ...Object.fromEntries(Object.entries(good).map(([name, right]) => [name, claim(right as fc.Arbitrary<unknown>)])),
    nbf: fc.option(around(TTL), { nil: undefined }),
  });
  const typ = fc.oneof(
    { weight: 10, arbitrary: fc.constantFrom('at+jwt', 'application/at+jwt', 'AT+JWT') },
    { weight: 2, arbitrary: fc.constantFrom('JWT', 'jwt', 'id_token+jwt', 'at+jwt ', '', 'rt+jwt') },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );

  test('a random mix of right and wrong claims is accepted if and only if the oracle accepts it', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(claims, typ, async (body, typValue) => {
        const payload = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
        const header = { alg: 'HS256', kid: 'fuzz', ...(typValue === undefined ? {} : { typ: typValue }) };
        let token: string;
        try {
          token = await new SignJWT(payload).setProtectedHeader(header as never).sign(appSecret);
        } catch {
          return; // jose would not even sign it (a claim of the wrong type): nothing to verify.
        }
        const expected = shouldAccept(header, payload);
        const result = await verifyAccessToken(token, now);
        assert.equal(result.ok, expected, `header ${JSON.stringify(header)} claims ${JSON.stringify(payload)} -> ${JSON.stringify(result)}`);
        if (result.ok) {
          accepted += 1;
          assert.equal(result.claims.sessionId, payload.sid);
          assert.equal(result.claims.userId, payload.sub);
        }
      }),
      { numRuns: 400 },
    );
    assert.ok(accepted >= 5, `the generator reaches acceptable tokens too (${accepted} accepted)`);
  });
});

describe('the proxy never fails on what a client sends (never a 5xx)', () => {
  const printable = fc.string({ unit: fc.constantFrom(...' !"#$%&\'()*+,-./0123456789:;<=>?@ABCXYZ[\\]^_`abcxyz{|}~'.split('')), maxLength: 60 });
  const paths = fc.oneof(
    fc.constantFrom('/dashboard', '/payments', '/settings/password', '/api/me', '/', '/login'),
    fc.webPath().map((p) => (p.startsWith('/') ? p : `/${p}`)),
  );

  test('any path, method and Cookie header: a redirect, 401, 403, 413 or on to the page, never a 5xx or an exception', async () => {
    const names = Object.values(cookieNames());
    const cookiePairs = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...names), printable), printable), { maxLength: 5 });
    await fc.assert(
      fc.asyncProperty(paths, fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE'), cookiePairs, fc.option(printable), async (path, method, pairs, origin) => {
        let request;
        try {
          const headers = new Headers({ host: 'localhost:3000', cookie: pairs.map(([n, v]) => `${n}=${v}`).join('; ') });
          if (origin !== null) headers.set('origin', origin);
          request = new NextRequest(new URL(path, 'http://localhost:3000'), { method, headers });
        } catch {
          fc.pre(false); // not a request a client could send (an invalid header value)
          return;
        }
        const response = await proxy(request);
        assert.ok(response.status < 500, `${method} ${path} -> ${response.status}`);
        const { pathname } = request.nextUrl;
        // APIs are outside the proxy (proxy.ts matches pages only): each checks the token itself through lib/dal.ts.
        const protectedPath = /^\/(dashboard|payments|settings|sessions|activity|lab)(\/|$)/.test(pathname);
        // With no genuine token among the cookies, a protected path is never simply let through on a GET.
        if (protectedPath && (method === 'GET' || method === 'HEAD')) assert.notEqual(response.headers.get('x-middleware-next'), '1', `${path} let through`);
      }),
      { numRuns: 300 },
    );
  });
});
