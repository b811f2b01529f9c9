/**
 * What a failed binding proof does to the session, decided once for both tiers. At registration
 * (DBSC registration, sign-in with a key) a failure only refuses: nothing is bound and nothing ends.
 * At renewal (a DBSC refresh, a fallback renewal) it is `retry` when benign (a nonce another renewal
 * used first, a client clock that drifted: answer with a fresh nonce and change nothing) or
 * `end_session` (a proof that is there and is not the session key's proof for this request: end the
 * session, record the event, tell its owner why). A missing proof is none of these: the caller refuses
 * it before any verifier runs, and it ends nothing. Pure.
 * Why: docs/decisions/0100-binding-proofs-verified-as-typed-results.md.
 */
import type { DbscProofFailure } from './dbsc-proof';
import type { KeyProofFailure } from './key-proof';

export type ProofFailureReason = KeyProofFailure | DbscProofFailure;
export type ProofStage = 'registration' | 'renewal';
export type ProofVerdict = 'refuse' | 'retry' | 'end_session';

/**
 * Every reason a verifier can return, with what it means at renewal; a reason added to a verifier
 * without a verdict here is a type error. Reasons found after the signature verified (`wrong_method`,
 * `wrong_url`, `missing_claim`, `missing_challenge`) come from a proof the key did sign, but for
 * another request: a captured proof replayed elsewhere (a sign-in proof at renewal), or a broken client.
 */
export const RENEWAL_VERDICTS: Record<ProofFailureReason, Exclude<ProofVerdict, 'refuse'>> = {
  // Two tabs renewing with one nonce, or a proof signed just before the nonce changed.
  wrong_nonce: 'retry',
  // A clock off by more than the window: the answer carries the server's time.
  stale: 'retry',
  too_large: 'end_session',
  malformed: 'end_session',
  wrong_algorithm: 'end_session',
  wrong_type: 'end_session',
  bad_key: 'end_session',
  bad_signature: 'end_session',
  wrong_key: 'end_session',
  wrong_method: 'end_session',
  wrong_url: 'end_session',
  missing_claim: 'end_session',
  missing_challenge: 'end_session',
  // Only a registration proof carries `authorization`; listed so the table covers every reason.
  wrong_authorization: 'end_session',
};

export function verdictFor(reason: ProofFailureReason, stage: ProofStage): ProofVerdict {
  return stage === 'registration' ? 'refuse' : RENEWAL_VERDICTS[reason];
}
