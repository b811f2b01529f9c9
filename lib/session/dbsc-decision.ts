/**
 * What a DBSC refresh does (POST /api/auth/dbsc/refresh, called by the browser itself), decided from
 * the session its Sec-Secure-Session-Id names and the checked proof: mint a new bound cookie, ask for
 * a proof on a fresh challenge (403, which the browser answers at once), end the session, or tell the
 * browser its session is over (401/404, which end the browser's DBSC session). Pure: no database, no
 * clock; the shell (./dbsc-refresh.ts) reads, decides, then writes.
 * Why each answer: docs/decisions/0103-dbsc-endpoints.md.
 */
import { verdictFor, type ProofFailureReason } from '../binding/proof-verdict';
import type { SessionUser } from '../auth/user';
import { sessionState } from './session-policy';
import type { SessionRowTimes } from './session-timeline';
import { signedOutReasonFor, type SignedOutReason } from './signed-out-reason';

/** The session a DBSC session identifier names, as the shell reads it. */
export type DbscSessionRow = SessionRowTimes & { id: string; user: SessionUser; bindingPublicKey: string | null };

/**
 * The `Secure-Session-Response` as checked against the session's registered key: none sent (or not
 * readable as one), a valid signature over the challenge it names, or a failure with the verifier's reason.
 */
export type DbscRefreshProof = { status: 'absent' } | { status: 'verified'; challenge: string } | { status: 'failed'; reason: ProofFailureReason };

export type DbscRefreshDecision =
  /** No session has this DBSC identifier (never issued, pruned, or moved on): 404, the browser drops it. */
  | { do: 'unknown' }
  /** The app session is over: 401 with its cookies cleared and the reason its holder is told. */
  | { do: 'terminate'; signedOutReason: SignedOutReason | null }
  /** Found past a deadline: write the ending (./session-timeouts.ts), then terminate. */
  | { do: 'end_timed_out'; state: 'idle_expired' | 'absolute_expired' }
  /** No usable proof yet: 403 with a fresh challenge, which the browser signs and sends again. */
  | { do: 'challenge' }
  /** The key's proof: consume `challenge` (one winner); if that fails, `challenge` instead. */
  | { do: 'refresh'; challenge: string }
  /** A proof that is there and is not the registered key's: the session ends (lib/binding/proof-verdict.ts). */
  | { do: 'end_for_failed_proof'; failure: ProofFailureReason };

/**
 * The session's state first (an ended session is over whatever the proof), then the proof. A missing
 * proof ends nothing: the browser sends none when it holds no cached challenge, and so does anyone
 * who learnt the identifier without the key.
 */
export function decideDbscRefresh(row: DbscSessionRow | null, proof: DbscRefreshProof, now: Date): DbscRefreshDecision {
  if (!row) return { do: 'unknown' };
  const state = sessionState(row, now);
  if (state === 'revoked') return { do: 'terminate', signedOutReason: signedOutReasonFor({ state, revokedReason: row.revokedReason }) };
  if (state !== 'active') return { do: 'end_timed_out', state };
  if (proof.status === 'absent') return { do: 'challenge' };
  if (proof.status === 'verified') return { do: 'refresh', challenge: proof.challenge };
  return verdictFor(proof.reason, 'renewal') === 'retry' ? { do: 'challenge' } : { do: 'end_for_failed_proof', failure: proof.reason };
}

/** What a refused DBSC refresh answers, and what it does to the browser's cookies. */
export type DbscRefusal = { httpStatus: 401 | 403 | 404; clearsCookies: boolean; signedOutReason: SignedOutReason | null };

export function dbscRefusalOf(decision: Exclude<DbscRefreshDecision, { do: 'refresh' | 'end_timed_out' }>): DbscRefusal {
  switch (decision.do) {
    case 'unknown':
      return { httpStatus: 404, clearsCookies: false, signedOutReason: null };
    case 'challenge':
      return { httpStatus: 403, clearsCookies: false, signedOutReason: null };
    case 'terminate':
      return { httpStatus: 401, clearsCookies: true, signedOutReason: decision.signedOutReason };
    case 'end_for_failed_proof':
      return { httpStatus: 401, clearsCookies: true, signedOutReason: 'binding_proof_failed' };
  }
}
