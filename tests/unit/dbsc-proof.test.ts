/**
 * DBSC proofs (lib/binding/dbsc-proof.ts): a browser's `dbsc+jwt` is accepted at registration and at
 * refresh, and every forgery an attacker could send instead is refused with its reason, never thrown:
 * another key, `none`, HS256 keyed with the public key, another `typ`, a missing challenge, a key where
 * none may be, an oversized token. Proofs are signed by tests/helpers/binding-client.ts, as Chromium does.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SignJWT, UnsecuredJWT, generateKeyPair, exportJWK } from 'jose';
import { BindingClient } from '../helpers/binding-client';
import { verifyDbscRefreshProof, verifyDbscRegistrationProof } from '../../lib/binding/dbsc-proof';
import { MAX_PROOF_LENGTH } from '../../lib/binding/proof-jwt';

/**
 * Proofs Debian's Chromium 156 (Linux, software keys) sent to a throwaway HTTPS server, captured from
 * the Secure-Session-Response headers as received (bare, unquoted). The registration answered
 * `Secure-Session-Registration: (ES256 RS256);path="/dbsc/register";challenge="reg-challenge-1";authorization="auth-code-xyz"`,
 * the refresh signed the challenge `cached-ch-1` the registration answer sent. How: docs/decisions/0101-dbsc-in-chromium.md.
 */
const CHROMIUM_156 = {
  registration:
    'eyJhbGciOiJFUzI1NiIsImp3ayI6eyJjcnYiOiJQLTI1NiIsImt0eSI6IkVDIiwieCI6IjBvbTVjbFMtNHloV1NxdGVydF9naGVEX3ItWDJOanlkTXVvX214Q0lhMGsiLCJ5IjoicDVNSHpmWkJ4VjVwdzh0VERza3VuX2NXXzMtRXppWjYxVnBKZTFMM2JhMCJ9LCJ0eXAiOiJkYnNjK2p3dCJ9.eyJhdXRob3JpemF0aW9uIjoiYXV0aC1jb2RlLXh5eiIsImp0aSI6InJlZy1jaGFsbGVuZ2UtMSJ9.tl4_p_SUl8QAo5ZnXyb9nXYqG2Zx9pD0W6aZ0dhxqJwz0RVjfbkCYRfKLO8UvZXj2N7X7WKcdLytdUUS5XYjIg',
  refresh:
    'eyJhbGciOiJFUzI1NiIsInR5cCI6ImRic2Mrand0In0.eyJqdGkiOiJjYWNoZWQtY2gtMSJ9.od4qqu3MNaVirWMv4RBHFuF-cDyA_Rlq6B7E0gZa_ICwwhNFVrsXw4UPqMWTX2CDhNUAio_WmihQiYqIYXgU7Q',
};
const decodePart = (token: string, index: number) => Buffer.from(token.split('.')[index], 'base64url').toString('utf8');

const browser = await BindingClient.generate();
const thief = await BindingClient.generate();
const challenge = 'Zb3Qm7yq0W8c1Xo2nK5tR9vJ4hL6gF8dS2aP0eU7iYw';

describe('proofs a real browser signed (Chromium 156)', () => {
  test('the registration proof verifies, with its challenge, authorization and embedded key', async () => {
    const result = await verifyDbscRegistrationProof(CHROMIUM_156.registration, { authorization: 'auth-code-xyz' });
    assert.ok(result.ok);
    assert.equal(result.challenge, 'reg-challenge-1');
    assert.deepEqual(result.publicKey, JSON.parse(decodePart(CHROMIUM_156.registration, 0)).jwk);
  });

  test('the refresh proof verifies against the key the registration carried, and not against another', async () => {
    const registered = await verifyDbscRegistrationProof(CHROMIUM_156.registration);
    assert.ok(registered.ok);
    assert.deepEqual(await verifyDbscRefreshProof(CHROMIUM_156.refresh, registered.publicKey), { ok: true, challenge: 'cached-ch-1' });
    assert.deepEqual(await verifyDbscRefreshProof(CHROMIUM_156.refresh, browser.publicJwk), { ok: false, reason: 'bad_signature' });
  });

  test('the test client writes the same header and payload, member for member, as Chromium', async () => {
    const shape = (json: string) => JSON.stringify(JSON.parse(json), (key, value) => (typeof value === 'string' && key !== 'alg' && key !== 'typ' && key !== 'crv' && key !== 'kty' ? '…' : value));
    const ours = await browser.dbscRegistrationProof('c', 'a');
    assert.equal(shape(decodePart(ours, 0)), shape(decodePart(CHROMIUM_156.registration, 0)));
    assert.equal(shape(decodePart(ours, 1)), shape(decodePart(CHROMIUM_156.registration, 1)));
    const refresh = await browser.dbscRefreshProof('c');
    assert.equal(decodePart(refresh, 0), decodePart(CHROMIUM_156.refresh, 0));
    assert.equal(shape(decodePart(refresh, 1)), shape(decodePart(CHROMIUM_156.refresh, 1)));
  });
});

describe('verifyDbscRegistrationProof', () => {
  test('accepts the browser proof: the challenge, the embedded key and its RFC 7638 thumbprint', async () => {
    const result = await verifyDbscRegistrationProof(await browser.dbscRegistrationProof(challenge));
    assert.deepEqual(result, { ok: true, challenge, publicKey: browser.publicJwk, thumbprint: await browser.thumbprint() });
  });

  test('a proof whose header carries one key and whose signature is another key’s is refused', async () => {
    const forged = await thief.signRaw({ alg: 'ES256', jwk: browser.publicJwk, typ: 'dbsc+jwt' }, { jti: challenge });
    assert.deepEqual(await verifyDbscRegistrationProof(forged), { ok: false, reason: 'bad_signature' });
  });

  test('a payload changed after signing (another challenge) is refused', async () => {
    const [header, , signature] = (await browser.dbscRegistrationProof(challenge)).split('.');
    const payload = Buffer.from(JSON.stringify({ jti: 'a-challenge-the-thief-holds' })).toString('base64url');
    assert.deepEqual(await verifyDbscRegistrationProof(`${header}.${payload}.${signature}`), { ok: false, reason: 'bad_signature' });
  });

  test('RFC 8725 3.1: alg none is refused', async () => {
    const unsigned = new UnsecuredJWT({ jti: challenge }).encode();
    const withHeader = `${Buffer.from(JSON.stringify({ alg: 'none', jwk: browser.publicJwk, typ: 'dbsc+jwt' })).toString('base64url')}.${unsigned.split('.')[1]}.`;
    assert.deepEqual(await verifyDbscRegistrationProof(withHeader), { ok: false, reason: 'wrong_algorithm' });
  });

  test('RFC 8725 2.1: HS256 keyed with the public key itself is refused', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(browser.publicJwk));
    const confused = await new SignJWT({ jti: challenge })
      .setProtectedHeader({ alg: 'HS256', jwk: browser.publicJwk, typ: 'dbsc+jwt' } as never)
      .sign(secret);
    assert.deepEqual(await verifyDbscRegistrationProof(confused), { ok: false, reason: 'wrong_algorithm' });
  });

  test('RS256 (which the registration header does not offer) and ES384 are refused', async () => {
    const rsa = await generateKeyPair('RS256');
    const rs256 = await new SignJWT({ jti: challenge })
      .setProtectedHeader({ alg: 'RS256', jwk: await exportJWK(rsa.publicKey), typ: 'dbsc+jwt' } as never)
      .sign(rsa.privateKey);
    assert.deepEqual(await verifyDbscRegistrationProof(rs256), { ok: false, reason: 'wrong_algorithm' });
    const es384 = await browser.signRaw({ alg: 'ES384', jwk: browser.publicJwk, typ: 'dbsc+jwt' }, { jti: challenge });
    assert.deepEqual(await verifyDbscRegistrationProof(es384), { ok: false, reason: 'wrong_algorithm' });
  });

  test('a typ other than exactly dbsc+jwt is refused (a DPoP proof, a plain JWT, none, another case)', async () => {
    for (const typ of ['dpop+jwt', 'JWT', 'DBSC+JWT', 'application/dbsc+jwt', undefined]) {
      const proof = await browser.signRaw({ alg: 'ES256', jwk: browser.publicJwk, typ }, { jti: challenge });
      assert.deepEqual(await verifyDbscRegistrationProof(proof), { ok: false, reason: 'wrong_type' }, String(typ));
    }
  });

  test('no challenge (jti missing, empty, not a string, over-long) is refused', async () => {
    for (const payload of [{}, { jti: '' }, { jti: 42 }, { jti: 'x'.repeat(257) }]) {
      const proof = await browser.signRaw({ alg: 'ES256', jwk: browser.publicJwk, typ: 'dbsc+jwt' }, payload);
      assert.deepEqual(await verifyDbscRegistrationProof(proof), { ok: false, reason: 'missing_challenge' }, JSON.stringify(payload));
    }
  });

  test('the authorization value of the registration header must be repeated exactly', async () => {
    const authorized = await browser.dbscRegistrationProof(challenge, 'code-1');
    assert.equal((await verifyDbscRegistrationProof(authorized, { authorization: 'code-1' })).ok, true);
    assert.deepEqual(await verifyDbscRegistrationProof(authorized, { authorization: 'code-2' }), { ok: false, reason: 'wrong_authorization' });
    const without = await browser.dbscRegistrationProof(challenge);
    assert.deepEqual(await verifyDbscRegistrationProof(without, { authorization: 'code-1' }), { ok: false, reason: 'wrong_authorization' });
  });

  test('an embedded key that is absent, private, another curve or off the curve is refused', async () => {
    const p384 = await exportJWK((await generateKeyPair('ES384')).publicKey);
    const privateJwk = await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey);
    const offCurve = { ...browser.publicJwk, y: browser.publicJwk.x };
    for (const jwk of [undefined, privateJwk, p384, offCurve, { ...browser.publicJwk, x: 'short' }, 'a string']) {
      const proof = await browser.signRaw({ alg: 'ES256', jwk, typ: 'dbsc+jwt' }, { jti: challenge });
      assert.deepEqual(await verifyDbscRegistrationProof(proof), { ok: false, reason: 'bad_key' });
    }
  });

  test(`a token longer than ${MAX_PROOF_LENGTH} characters is refused before it is decoded`, async () => {
    const padded = await browser.signRaw({ alg: 'ES256', jwk: browser.publicJwk, typ: 'dbsc+jwt' }, { jti: challenge, pad: 'x'.repeat(MAX_PROOF_LENGTH) });
    assert.deepEqual(await verifyDbscRegistrationProof(padded), { ok: false, reason: 'too_large' });
  });

  test('input that is no compact JWS is refused, never thrown', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'ES256', jwk: browser.publicJwk, typ: 'dbsc+jwt' })).toString('base64url');
    for (const input of ['', 'abc', 'a.b', `${header}.e30`, `${header}.e30.`, `${header}.e30.sig.extra`, '%%%.e30.c2ln', 42, null, undefined, {}]) {
      assert.deepEqual(await verifyDbscRegistrationProof(input), { ok: false, reason: 'malformed' }, String(input));
    }
  });

  test('a payload that is not a JSON object, or a crit header, is refused', async () => {
    for (const payload of [[challenge], 'just a string', 7]) {
      const proof = await browser.signRaw({ alg: 'ES256', jwk: browser.publicJwk, typ: 'dbsc+jwt' }, payload);
      assert.deepEqual(await verifyDbscRegistrationProof(proof), { ok: false, reason: 'malformed' });
    }
    const crit = await browser.signRaw({ alg: 'ES256', jwk: browser.publicJwk, typ: 'dbsc+jwt', crit: ['exp'] }, { jti: challenge });
    assert.deepEqual(await verifyDbscRegistrationProof(crit), { ok: false, reason: 'malformed' });
  });
});

describe('verifyDbscRefreshProof', () => {
  test('accepts the key holder’s refresh proof and returns its challenge', async () => {
    assert.deepEqual(await verifyDbscRefreshProof(await browser.dbscRefreshProof('refresh-1'), browser.publicJwk), {
      ok: true,
      challenge: 'refresh-1',
    });
  });

  test('a thief’s key is refused: the signature is checked against the key the session registered', async () => {
    assert.deepEqual(await verifyDbscRefreshProof(await thief.dbscRefreshProof('refresh-1'), browser.publicJwk), {
      ok: false,
      reason: 'bad_signature',
    });
  });

  test('a key in the header is refused, even the session’s own (a registration proof replayed at refresh)', async () => {
    assert.deepEqual(await verifyDbscRefreshProof(await browser.dbscRegistrationProof('refresh-1'), browser.publicJwk), {
      ok: false,
      reason: 'bad_key',
    });
    const thiefs = await thief.signRaw({ alg: 'ES256', jwk: thief.publicJwk, typ: 'dbsc+jwt' }, { jti: 'refresh-1' });
    assert.deepEqual(await verifyDbscRefreshProof(thiefs, browser.publicJwk), { ok: false, reason: 'bad_key' });
  });

  test('a fallback-tier proof signed by the right key is no DBSC proof', async () => {
    const proof = await browser.keyProof({ method: 'POST', url: 'https://app.example/api/auth/dbsc/refresh' });
    assert.deepEqual(await verifyDbscRefreshProof(proof, browser.publicJwk), { ok: false, reason: 'wrong_type' });
  });

  test('none and HS256 keyed with the stored public key are refused', async () => {
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'dbsc+jwt' })).toString('base64url')}.${Buffer.from('{"jti":"refresh-1"}').toString('base64url')}.`;
    assert.deepEqual(await verifyDbscRefreshProof(none, browser.publicJwk), { ok: false, reason: 'wrong_algorithm' });
    const hs256 = await new SignJWT({ jti: 'refresh-1' })
      .setProtectedHeader({ alg: 'HS256', typ: 'dbsc+jwt' })
      .sign(new TextEncoder().encode(JSON.stringify(browser.publicJwk)));
    assert.deepEqual(await verifyDbscRefreshProof(hs256, browser.publicJwk), { ok: false, reason: 'wrong_algorithm' });
  });

  test('no challenge is refused', async () => {
    const proof = await browser.signRaw({ alg: 'ES256', typ: 'dbsc+jwt' }, { iat: 1 });
    assert.deepEqual(await verifyDbscRefreshProof(proof, browser.publicJwk), { ok: false, reason: 'missing_challenge' });
  });

  test('a stored key that is not on the curve verifies nothing', async () => {
    const proof = await browser.dbscRefreshProof('refresh-1');
    assert.deepEqual(await verifyDbscRefreshProof(proof, { ...browser.publicJwk, y: browser.publicJwk.x }), { ok: false, reason: 'bad_key' });
  });
});
