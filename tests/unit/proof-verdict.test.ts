/**
 * What a failed proof does to the session (lib/binding/proof-verdict.ts), for the proofs an attacker or
 * a racing tab would really send, verified by the real verifiers: a thief's proof ends the session, a
 * replayed or late proof only asks for a retry, and nothing at registration ends anything.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BindingClient } from '../helpers/binding-client';
import { verifyDbscRefreshProof, verifyDbscRegistrationProof } from '../../lib/binding/dbsc-proof';
import { verifyKeyProof, type KeyProofExpectation } from '../../lib/binding/key-proof';
import { verdictFor } from '../../lib/binding/proof-verdict';

const owner = await BindingClient.generate();
const thief = await BindingClient.generate();
const now = new Date('2026-12-07T12:00:00Z');
const refreshUrl = 'https://app.example/api/auth/refresh';
const renewal: KeyProofExpectation = { method: 'POST', url: refreshUrl, now, nonce: 'nonce-2', key: owner.publicJwk };

async function renewalVerdict(proof: string) {
  const result = await verifyKeyProof(proof, renewal);
  assert.equal(result.ok, false, 'the proof must fail to have a verdict');
  return result.ok ? null : verdictFor(result.reason, 'renewal');
}

describe('fallback renewal', () => {
  test('a thief signing with its own key ends the session', async () => {
    assert.equal(await renewalVerdict(await thief.keyProof({ method: 'POST', url: refreshUrl, nonce: 'nonce-2', now })), 'end_session');
  });

  test('a proof the owner signed on the nonce another tab already used asks for a retry, and ends nothing', async () => {
    assert.equal(await renewalVerdict(await owner.keyProof({ method: 'POST', url: refreshUrl, nonce: 'nonce-1', now })), 'retry');
  });

  test('a proof from a drifted clock asks for a retry', async () => {
    const late = new Date(now.getTime() - 10 * 60_000);
    assert.equal(await renewalVerdict(await owner.keyProof({ method: 'POST', url: refreshUrl, nonce: 'nonce-2', now: late })), 'retry');
  });

  test('a captured sign-in proof replayed at renewal ends the session', async () => {
    const signInProof = await owner.keyProof({ method: 'POST', url: 'https://app.example/api/auth/login', now });
    assert.equal(await renewalVerdict(signInProof), 'end_session');
  });
});

describe('DBSC', () => {
  test('a refresh signed by another key ends the session', async () => {
    const result = await verifyDbscRefreshProof(await thief.dbscRefreshProof('challenge-1'), owner.publicJwk);
    assert.ok(!result.ok);
    assert.equal(verdictFor(result.reason, 'renewal'), 'end_session');
  });

  test('a failed registration only refuses: nothing was bound, so nothing ends', async () => {
    const forged = await thief.signRaw({ alg: 'ES256', jwk: owner.publicJwk, typ: 'dbsc+jwt' }, { jti: 'challenge-1' });
    const result = await verifyDbscRegistrationProof(forged);
    assert.ok(!result.ok);
    assert.equal(verdictFor(result.reason, 'registration'), 'refuse');
  });
});
