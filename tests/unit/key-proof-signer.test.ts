/**
 * The browser's signer (lib/client/key-proof-signer.ts) against the server's verifier
 * (lib/binding/key-proof.ts): what the page will send is accepted for the request it was made for and
 * for no other, its key cannot be taken out of the page, and a wrong local clock is corrected.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createSessionKey, serverClockOffsetMs, signKeyProof } from '../../lib/client/key-proof-signer';
import { verifyKeyProof } from '../../lib/binding/key-proof';
import { parsePublicJwk } from '../../lib/binding/public-key';

const key = await createSessionKey();
const refreshUrl = 'https://app.example/api/auth/refresh';

describe('createSessionKey', () => {
  test('the private key signs but cannot be exported, not even by the page that made it', async () => {
    assert.equal(key.privateKey.extractable, false);
    await assert.rejects(crypto.subtle.exportKey('jwk', key.privateKey));
    assert.deepEqual(parsePublicJwk(key.publicJwk), key.publicJwk);
  });
});

describe('signKeyProof', () => {
  test('a renewal proof verifies against the registered key and the current nonce', async () => {
    const proof = await signKeyProof(key, { method: 'POST', url: refreshUrl, nonce: 'nonce-1' });
    const result = await verifyKeyProof(proof, { method: 'POST', url: refreshUrl, now: new Date(), nonce: 'nonce-1', key: key.publicJwk });
    assert.equal(result.ok, true);
  });

  test('a sign-in proof (no nonce yet) registers the key', async () => {
    const url = 'https://app.example/api/auth/login';
    const result = await verifyKeyProof(await signKeyProof(key, { method: 'POST', url }), { method: 'POST', url, now: new Date() });
    assert.ok(result.ok);
    assert.deepEqual(result.publicKey, key.publicJwk);
  });

  test('the proof is refused for another URL, another method or another nonce', async () => {
    const proof = await signKeyProof(key, { method: 'POST', url: refreshUrl, nonce: 'nonce-1' });
    const expected = { method: 'POST', url: refreshUrl, now: new Date(), nonce: 'nonce-1', key: key.publicJwk };
    assert.deepEqual(await verifyKeyProof(proof, { ...expected, url: 'https://app.example/api/me' }), { ok: false, reason: 'wrong_url' });
    assert.deepEqual(await verifyKeyProof(proof, { ...expected, method: 'GET' }), { ok: false, reason: 'wrong_method' });
    assert.deepEqual(await verifyKeyProof(proof, { ...expected, nonce: 'nonce-2' }), { ok: false, reason: 'wrong_nonce' });
  });

  test('htu leaves out the query and fragment; every proof gets its own jti', async () => {
    const decode = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
    const a = decode(await signKeyProof(key, { method: 'POST', url: `${refreshUrl}?next=%2Fdashboard#top` }));
    const b = decode(await signKeyProof(key, { method: 'POST', url: refreshUrl }));
    assert.equal(a.htu, refreshUrl);
    assert.notEqual(a.jti, b.jti);
    assert.ok(a.jti.length >= 16);
    assert.equal(Number.isInteger(a.iat), true);
  });

  test('a browser clock ten minutes slow signs a stale proof, and one corrected by the server Date does not', async () => {
    const serverNow = new Date();
    const realNow = Date.now;
    Date.now = () => realNow() - 10 * 60_000;
    try {
      const offset = serverClockOffsetMs(serverNow.toUTCString());
      const uncorrected = await signKeyProof(key, { method: 'POST', url: refreshUrl });
      const corrected = await signKeyProof(key, { method: 'POST', url: refreshUrl, clockOffsetMs: offset });
      const expected = { method: 'POST', url: refreshUrl, now: serverNow, key: key.publicJwk };
      assert.deepEqual(await verifyKeyProof(uncorrected, expected), { ok: false, reason: 'stale' });
      assert.equal((await verifyKeyProof(corrected, expected)).ok, true);
    } finally {
      Date.now = realNow;
    }
  });

  test('no or an unreadable Date header means no correction', () => {
    assert.equal(serverClockOffsetMs(null), 0);
    assert.equal(serverClockOffsetMs('not a date'), 0);
  });
});
