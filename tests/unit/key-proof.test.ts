/**
 * The fallback tier's proof (lib/binding/key-proof.ts), checked as RFC 9449 4.3 says: the page's proof
 * for a renewal is accepted, and a thief's cannot pass: another key, `none` or HS256 keyed with the
 * public key, another `typ`, a stale or future `iat`, another method or URL, a missing `jti`, an old
 * nonce, an oversized token. Proofs are signed by tests/helpers/binding-client.ts, as the page will.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { BindingClient } from '../helpers/binding-client';
import { KEY_PROOF_MAX_AGE_SECONDS, KEY_PROOF_MAX_FUTURE_SECONDS, verifyKeyProof } from '../../lib/binding/key-proof';
import { MAX_PROOF_LENGTH } from '../../lib/binding/proof-jwt';

const page = await BindingClient.generate();
const thief = await BindingClient.generate();
const now = new Date('2026-12-07T12:00:00Z');
const url = 'https://app.example/api/auth/refresh';
const nonce = 'n-3q2a9XbY0cV1dW8eT7fU6gS5hR4iQ';
const renewal = { method: 'POST', url, now, nonce, key: page.publicJwk };
const seconds = (s: number) => new Date(now.getTime() + s * 1000);

describe('verifyKeyProof: the proofs the page sends', () => {
  test('a renewal proof signed by the session key, for this request, with the current nonce', async () => {
    const result = await verifyKeyProof(await page.keyProof({ method: 'POST', url, nonce, now }), renewal);
    assert.equal(result.ok, true);
    assert.ok(result.ok);
    assert.equal(result.issuedAt.getTime(), now.getTime());
    assert.equal(result.thumbprint, await page.thumbprint());
    assert.match(result.jti, /^[0-9a-f-]{36}$/);
  });

  test('at sign-in, with no key registered yet, the proof registers its own key', async () => {
    const result = await verifyKeyProof(await page.keyProof({ method: 'POST', url: 'https://app.example/api/auth/login', now }), {
      method: 'POST',
      url: 'https://app.example/api/auth/login',
      now,
    });
    assert.ok(result.ok);
    assert.deepEqual(result.publicKey, page.publicJwk);
    assert.equal(result.thumbprint, await page.thumbprint());
  });

  test('RFC 9449 4.3: the query and fragment of htu are not compared', async () => {
    const proof = await page.keyProof({ method: 'POST', url: `${url}?next=%2Fdashboard#x`, nonce, now });
    assert.equal((await verifyKeyProof(proof, { ...renewal, url: `${url}?next=%2Fpayments` })).ok, true);
  });

  test(`iat up to ${KEY_PROOF_MAX_AGE_SECONDS} s old or ${KEY_PROOF_MAX_FUTURE_SECONDS} s ahead is inside the window`, async () => {
    for (const at of [seconds(-KEY_PROOF_MAX_AGE_SECONDS), seconds(KEY_PROOF_MAX_FUTURE_SECONDS)]) {
      assert.equal((await verifyKeyProof(await page.keyProof({ method: 'POST', url, nonce, now: at }), renewal)).ok, true);
    }
  });
});

describe('verifyKeyProof: a copied refresh cookie without the key cannot renew', () => {
  test('a proof signed by the thief’s own key is refused (wrong key)', async () => {
    const proof = await thief.keyProof({ method: 'POST', url, nonce, now });
    assert.deepEqual(await verifyKeyProof(proof, renewal), { ok: false, reason: 'wrong_key' });
  });

  test('the session’s public key in the header, signed by the thief’s key, is refused (bad signature)', async () => {
    const proof = await thief.signRaw(
      { typ: 'dpop+jwt', alg: 'ES256', jwk: page.publicJwk },
      { jti: crypto.randomUUID(), htm: 'POST', htu: url, iat: now.getTime() / 1000, nonce },
    );
    assert.deepEqual(await verifyKeyProof(proof, renewal), { ok: false, reason: 'bad_signature' });
  });

  test('RFC 8725 3.1: alg none is refused', async () => {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const none = `${encode({ typ: 'dpop+jwt', alg: 'none', jwk: page.publicJwk })}.${encode({ jti: crypto.randomUUID(), htm: 'POST', htu: url, iat: now.getTime() / 1000, nonce })}.`;
    assert.deepEqual(await verifyKeyProof(none, renewal), { ok: false, reason: 'wrong_algorithm' });
  });

  test('RFC 8725 2.1: HS256 keyed with the session’s public key is refused', async () => {
    for (const secret of [JSON.stringify(page.publicJwk), page.publicJwk.x]) {
      const proof = await new SignJWT({ jti: crypto.randomUUID(), htm: 'POST', htu: url, iat: now.getTime() / 1000, nonce })
        .setProtectedHeader({ typ: 'dpop+jwt', alg: 'HS256', jwk: page.publicJwk } as never)
        .sign(new TextEncoder().encode(secret));
      assert.deepEqual(await verifyKeyProof(proof, renewal), { ok: false, reason: 'wrong_algorithm' });
    }
  });

  test('a typ other than dpop+jwt is refused, a DBSC proof by the same key included', async () => {
    assert.deepEqual(await verifyKeyProof(await page.dbscRegistrationProof(nonce), renewal), { ok: false, reason: 'wrong_type' });
    for (const typ of ['JWT', 'DPOP+JWT', undefined]) {
      const proof = await page.signRaw({ typ, alg: 'ES256', jwk: page.publicJwk }, { jti: crypto.randomUUID(), htm: 'POST', htu: url, iat: now.getTime() / 1000, nonce });
      assert.deepEqual(await verifyKeyProof(proof, renewal), { ok: false, reason: 'wrong_type' }, String(typ));
    }
  });

  test('a stale iat (a proof kept from earlier) and one from the future are refused', async () => {
    for (const at of [seconds(-KEY_PROOF_MAX_AGE_SECONDS - 1), seconds(-3600), seconds(KEY_PROOF_MAX_FUTURE_SECONDS + 1)]) {
      assert.deepEqual(await verifyKeyProof(await page.keyProof({ method: 'POST', url, nonce, now: at }), renewal), {
        ok: false,
        reason: 'stale',
      });
    }
  });

  test('a proof made for another method is refused (htm compared exactly)', async () => {
    for (const method of ['GET', 'post', 'PUT']) {
      assert.deepEqual(await verifyKeyProof(await page.keyProof({ method, url, nonce, now }), renewal), { ok: false, reason: 'wrong_method' });
    }
  });

  test('a proof made for another URL is refused: another path, origin, scheme or port, or no URL at all', async () => {
    for (const htu of [
      'https://app.example/api/me',
      'https://evil.example/api/auth/refresh',
      'http://app.example/api/auth/refresh',
      'https://app.example:8443/api/auth/refresh',
      'javascript:alert(1)',
      'not a url',
    ]) {
      assert.deepEqual(await verifyKeyProof(await page.keyProof({ method: 'POST', url: htu, nonce, now }), renewal), { ok: false, reason: 'wrong_url' }, htu);
    }
  });

  test('a missing or short jti, and a missing htm, htu or iat, are refused', async () => {
    const claims = [{ jti: undefined }, { jti: 'short' }, { jti: 7 }, { htm: undefined }, { htu: undefined }, { iat: undefined }, { iat: '1765108800' }];
    for (const override of claims) {
      const proof = await page.keyProof({ method: 'POST', url, nonce, now, claims: override });
      assert.deepEqual(await verifyKeyProof(proof, renewal), { ok: false, reason: 'missing_claim' }, JSON.stringify(override));
    }
  });

  test('a proof without the nonce, or with an earlier one (a replay), is refused', async () => {
    assert.deepEqual(await verifyKeyProof(await page.keyProof({ method: 'POST', url, now }), renewal), { ok: false, reason: 'missing_claim' });
    const replayed = await page.keyProof({ method: 'POST', url, nonce: 'n-the-previous-nonce', now });
    assert.deepEqual(await verifyKeyProof(replayed, renewal), { ok: false, reason: 'wrong_nonce' });
  });

  test('no key in the header, or one that is not a P-256 public key, is refused', async () => {
    for (const jwk of [undefined, { ...page.publicJwk, d: page.publicJwk.x }, { ...page.publicJwk, crv: 'P-384' }]) {
      const proof = await page.signRaw({ typ: 'dpop+jwt', alg: 'ES256', jwk }, { jti: crypto.randomUUID(), htm: 'POST', htu: url, iat: now.getTime() / 1000, nonce });
      assert.deepEqual(await verifyKeyProof(proof, renewal), { ok: false, reason: 'bad_key' });
    }
  });

  test(`a token longer than ${MAX_PROOF_LENGTH} characters is refused before it is decoded`, async () => {
    const proof = await page.keyProof({ method: 'POST', url, nonce, now, claims: { pad: 'x'.repeat(MAX_PROOF_LENGTH) } });
    assert.deepEqual(await verifyKeyProof(proof, renewal), { ok: false, reason: 'too_large' });
  });

  test('input that is no compact JWS is refused, never thrown', async () => {
    for (const input of ['', 'x.y', 'x.y.z', 42, undefined, null]) {
      assert.deepEqual(await verifyKeyProof(input, renewal), { ok: false, reason: 'malformed' }, String(input));
    }
  });
});
