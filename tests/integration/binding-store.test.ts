/**
 * The fallback tier's rows (lib/session/binding-store.ts): a sign-in with a proven key makes a bound
 * session with its own nonce; a step-up carries the binding over with a new nonce; a failed proof ends
 * the session once, with one event the owner sees on /activity and one reason the sign-in page gives.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';
import { createUser, meta, PASSWORD } from '../helpers/fixtures';
import { BindingClient } from '../helpers/binding-client';
import { db } from '../../lib/db/client';
import { signIn } from '../../lib/auth/sign-in';
import { endForFailedProof } from '../../lib/session/binding-store';
import { endSessionsTransaction, replaceSession } from '../../lib/session/session-store';
import { signedOutReasonFor } from '../../lib/session/signed-out-reason';

useTestDatabase();

async function boundSignIn(now = new Date()) {
  const user = await createUser();
  const client = await BindingClient.generate();
  const key = { publicKey: client.publicJwk, thumbprint: await client.thumbprint() };
  const result = await signIn(user.email, PASSWORD, meta, now, undefined, key);
  assert.ok(result.ok, 'signed in');
  return { user, client, result };
}

describe('a bound session', () => {
  test('a sign-in with a proven key stores the public key, its thumbprint and a nonce it answers with', async () => {
    const { client, result } = await boundSignIn();
    assert.ok(result.ok);
    const row = await db().session.findUniqueOrThrow({ where: { id: result.sessionId } });
    assert.equal(row.bindingKind, 'key_proof');
    assert.deepEqual(JSON.parse(row.bindingPublicKey!), client.publicJwk);
    assert.equal(row.bindingThumbprint, await client.thumbprint());
    assert.ok(row.keyProofNonce && row.keyProofNonce.length >= 43, 'a 256-bit nonce');
    assert.equal(result.proofNonce, row.keyProofNonce, 'the sign-in answer hands out the stored nonce');
    const event = await db().securityEvent.findFirstOrThrow({ where: { sessionId: row.id, type: 'login_succeeded' } });
    assert.match(event.detail ?? '', /Bound to a key/);
  });

  test('a sign-in without a key stays unbound, as before', async () => {
    const user = await createUser();
    const result = await signIn(user.email, PASSWORD, meta, new Date());
    assert.ok(result.ok);
    const row = await db().session.findUniqueOrThrow({ where: { id: result.sessionId } });
    assert.deepEqual([row.bindingKind, row.bindingPublicKey, row.keyProofNonce], ['none', null, null]);
  });

  test('a step-up carries the key to the new session, with a new nonce', async () => {
    const { user, client, result } = await boundSignIn();
    assert.ok(result.ok);
    const old = await db().session.findUniqueOrThrow({ where: { id: result.sessionId } });
    const replaced = await endSessionsTransaction((tx) =>
      replaceSession(tx, { sessionId: old.id, userId: user.id }, 'reauthenticated', meta, new Date()),
    );
    assert.ok(replaced);
    const row = await db().session.findUniqueOrThrow({ where: { id: replaced.session.id } });
    assert.equal(row.bindingKind, 'key_proof');
    assert.deepEqual(JSON.parse(row.bindingPublicKey!), client.publicJwk);
    assert.ok(row.keyProofNonce && row.keyProofNonce !== old.keyProofNonce, 'a nonce of its own');
  });

  test('a failed proof ends the session once, with one event and a reason its owner is told', async () => {
    const { user, result } = await boundSignIn();
    assert.ok(result.ok);
    const now = new Date();
    await Promise.all([
      endForFailedProof(result.sessionId, user, 'wrong_key', meta, now),
      endForFailedProof(result.sessionId, user, 'wrong_key', meta, now),
    ]);
    const row = await db().session.findUniqueOrThrow({ where: { id: result.sessionId } });
    assert.ok(row.revokedAt, 'ended');
    assert.equal(row.revokedReason, 'binding_proof_failed');
    assert.equal(await db().securityEvent.count({ where: { sessionId: row.id, type: 'binding_proof_failed' } }), 1);
    assert.equal(await db().refreshToken.count({ where: { sessionId: row.id, rotatedAt: null, revokedAt: null } }), 0, 'no live token left');
    assert.equal(signedOutReasonFor({ state: 'revoked', revokedReason: row.revokedReason }), 'binding_proof_failed');
  });
});
