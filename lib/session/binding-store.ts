/**
 * A key-bound session's ending (the fallback tier: the sign-in page's WebCrypto key, proofs checked by
 * lib/binding/key-proof.ts) when a renewal comes with another key's proof. Its columns are in
 * ./binding-columns.ts; the nonce swap that makes each proof single-use is in ./rotation-store.ts.
 * Why: docs/decisions/0102-key-bound-renewal.md.
 */
import 'server-only';
import { recordSecurityEvent } from '../audit/security-events';
import type { SessionUser } from '../auth/user';
import type { RequestMeta } from '../request/request-meta';
import { endSessionsTransaction } from './session-store';

/**
 * A renewal came with a proof that is there and is not this session key's proof for this request
 * (another key, a forged signature, a proof made for another URL): the session ends with
 * `binding_proof_failed`, and the event commits with the ending. One ending, one event: a concurrent
 * second failure finds the session already ended and writes neither.
 */
export async function endForFailedProof(
  sessionId: string,
  user: SessionUser,
  failure: string,
  meta: RequestMeta,
  now: Date,
): Promise<void> {
  await endSessionsTransaction(async (tx, end) => {
    if ((await end({ id: sessionId }, 'binding_proof_failed', now)) === 0) return;
    await recordSecurityEvent(
      {
        type: 'binding_proof_failed',
        userId: user.id,
        sessionId,
        meta,
        now,
        detail: `A renewal of this session came with a proof this browser's key did not make (${failure}). The session was signed out.`,
      },
      tx,
    );
  });
}
