/**
 * Binding keys as stored (lib/binding/public-key.ts): only the public members of a P-256 JWK are kept,
 * and the thumbprint is RFC 7638's, checked against a SHA-256 computed independently here.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { BindingClient } from '../helpers/binding-client';
import { importPublicKey, jwkThumbprint, parsePublicJwk } from '../../lib/binding/public-key';

const client = await BindingClient.generate();
const { x, y } = client.publicJwk;

describe('parsePublicJwk', () => {
  test('keeps kty, crv, x and y only, whatever else the client sent', () => {
    assert.deepEqual(parsePublicJwk({ ...client.publicJwk, kid: 'k', alg: 'ES256', use: 'sig', ext: true, key_ops: ['verify'] }), {
      kty: 'EC',
      crv: 'P-256',
      x,
      y,
    });
  });

  test('refuses a private key, another curve or type, a wrong use or alg, and what is no JWK at all', () => {
    for (const value of [
      { ...client.publicJwk, d: x },
      { ...client.publicJwk, crv: 'P-384' },
      { ...client.publicJwk, kty: 'RSA' },
      { ...client.publicJwk, use: 'enc' },
      { ...client.publicJwk, alg: 'RS256' },
      { ...client.publicJwk, x: `${x}A` },
      { kty: 'EC', crv: 'P-256', x },
      [client.publicJwk],
      'jwk',
      null,
    ]) {
      assert.equal(parsePublicJwk(value), null, JSON.stringify(value));
    }
  });
});

describe('jwkThumbprint', () => {
  test('RFC 7638 3: SHA-256 of the required members in lexicographic order, no whitespace, base64url', async () => {
    const canonical = `{"crv":"P-256","kty":"EC","x":"${x}","y":"${y}"}`;
    assert.equal(await jwkThumbprint(parsePublicJwk(client.publicJwk)!), createHash('sha256').update(canonical).digest('base64url'));
  });
});

describe('importPublicKey', () => {
  test('a point not on the curve imports as nothing', async () => {
    assert.equal(await importPublicKey({ kty: 'EC', crv: 'P-256', x, y: x }), null);
    assert.notEqual(await importPublicKey(parsePublicJwk(client.publicJwk)!), null);
  });
});
