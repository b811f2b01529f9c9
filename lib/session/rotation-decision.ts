/**
 * What a refresh does, decided from what the database said about the presented token: rotate it,
 * answer with the current pair, answer a concurrent sibling, revoke the session for reuse, or refuse.
 * Pure: no database, no clock (the idle timeout comes from the configuration, through `sessionState`);
 * the caller (./rotate-refresh-token.ts) reads, decides, then writes.
 * Why each branch: docs/decisions/0001-refresh-token-rotation.md to 0005-refused-renewals.md.
 */
import { sessionState } from './session-policy';
import type { SessionRotations, SessionRowTimes } from './session-timeline';
import { signedOutReasonFor, type SignedOutReason } from './signed-out-reason';
import type { SessionUser } from '../auth/user';
import { verdictFor, type ProofFailureReason } from '../binding/proof-verdict';

/** The presented token's row, its session and user, and the session's rotations, as read in one statement. */
export type PresentedToken = {
  id: string;
  createdAt: Date;
  rotatedAt: Date | null;
  revokedAt: Date | null;
  session: SessionRowTimes & { id: string; user: SessionUser };
  /** All of the session's rotations, for its timeline (lib/session/session-timeline.ts). */
  rotations: SessionRotations;
  /** Rotations the session made within the last access-token lifetime (docs/decisions/0003-rotation-budget.md). */
  recentRotations: number;
  /** The session's binding (lib/binding/): its tier, public key (JWK JSON) and current server nonce. */
  binding: SessionBinding;
};

/** How a session is bound to a key its browser holds: docs/decisions/0102-key-bound-renewal.md. */
/**
 * `unrecognised`: a value this build does not know (say, a tier a newer instance wrote during a rolling
 * deployment). It fails closed: no renewal by the refresh token alone, and nothing ended.
 */
export type BindingKind = 'none' | 'key_proof' | 'dbsc' | 'unrecognised';
export type SessionBinding = { kind: BindingKind; publicKey: string | null; nonce: string | null };

/** What the request carried besides the refresh token: the evidence of a planted cookie. */
export type RotationRequest = {
  /** A session cookie sent twice: a sibling host planted one of them (lib/tokens/duplicate-cookies.ts). */
  duplicatedCookies?: boolean;
  /** The session named by the request's verified access token, when it carries one. */
  accessTokenSessionId?: string;
  /**
   * The key proof (RFC 9449-style, header `DPoP`) as checked against the session's key and nonce:
   * absent, verified (naming the nonce it signed), or failed with the verifier's reason. Only
   * `key_proof` sessions are asked for one.
   */
  proof?: RenewalProof;
  /**
   * This request already read the token live, and is deciding again because a write of another request
   * landed between its read and its own write. A token consumed since is then a sibling of that rotation
   * however long ago the other request arrived: it wrote after this one read, so its successor had
   * reached no one yet, and the grace window (counted from its arrival) does not apply.
   */
  readLiveBefore?: boolean;
};

export type RenewalProof = { status: 'absent' } | { status: 'verified'; nonce: string } | { status: 'failed'; reason: ProofFailureReason };

export type RotationPolicy = {
  /** REFRESH_REUSE_GRACE_SECONDS in milliseconds (docs/decisions/0002-reuse-grace-window.md). */
  reuseGraceMs: number;
  /** Rotations a session may make per access-token lifetime (docs/decisions/0003-rotation-budget.md). */
  maxRecentRotations: number;
};

/** Rotations a session may make per access-token lifetime before refreshes get the current pair. */
export const MAX_ROTATIONS_PER_ACCESS_TOKEN_LIFETIME = 5;

/**
 * Why a refresh was refused, and what the refusal does to the browser: every answer is 401 (a
 * navigation is sent to the sign-in form instead), `clearsCookies` says whether the app's cookies go,
 * `tellsWhy` which sentence the sign-in page shows (lib/session/signed-out-reason.ts; `from_row`: the
 * reason stored on the revoked row). A refusal that leaves the cookies alone may have raced a response
 * that already set newer ones. The table, row by row: docs/decisions/0005-refused-renewals.md.
 */
export const REFUSALS = {
  /** No such token (never issued, pruned, or not a token at all), or no refresh cookie. */
  unknown: { httpStatus: 401, clearsCookies: false, tellsWhy: null },
  /** A live session's withdrawn token, or one whose session its own holder replaced by typing the password. */
  withdrawn: { httpStatus: 401, clearsCookies: false, tellsWhy: null },
  /** Cookie tossing: the cookies name two sessions. Only the app's host-only cookies can be cleared. */
  session_mismatch: { httpStatus: 401, clearsCookies: true, tellsWhy: null },
  /** Reuse detected by this very request: the session was revoked now (RFC 9700 4.14.2). */
  reused: { httpStatus: 401, clearsCookies: true, tellsWhy: 'refresh_token_reuse' },
  revoked: { httpStatus: 401, clearsCookies: true, tellsWhy: 'from_row' },
  idle_expired: { httpStatus: 401, clearsCookies: true, tellsWhy: 'idle_timeout' },
  absolute_expired: { httpStatus: 401, clearsCookies: true, tellsWhy: 'absolute_timeout' },
  /** A key-bound session renewed without a proof: a copied cookie, or a page that lost its key. Ends nothing. */
  proof_required: { httpStatus: 401, clearsCookies: false, tellsWhy: null },
  /** The key's proof on a nonce another renewal used first, or from a drifted clock: sign again (`nonce`). */
  proof_retry: { httpStatus: 401, clearsCookies: false, tellsWhy: null },
  /** A proof that is there and is not this session key's proof for this request: the session was ended now. */
  proof_failed: { httpStatus: 401, clearsCookies: true, tellsWhy: 'binding_proof_failed' },
  /** A refresh token of a session the browser renews by DBSC: its refresh tokens were withdrawn, so a copy. */
  dbsc_bound: { httpStatus: 401, clearsCookies: false, tellsWhy: null },
} as const satisfies Record<string, { httpStatus: 401; clearsCookies: boolean; tellsWhy: SignedOutReason | 'from_row' | null }>;

export type RejectionReason = keyof typeof REFUSALS;
/**
 * `revokedReason`: why a revoked session ended, for the sign-in page's one sentence (`from_row`).
 * `nonce`: with `proof_retry`, the session's current nonce to sign with.
 */
export type Rejection = { status: 'rejected'; reason: RejectionReason; revokedReason?: string | null; nonce?: string };

/** What a refusal does to the browser: its row of REFUSALS, with the sentence to tell resolved. */
export type Refusal = { httpStatus: 401; clearsCookies: boolean; signedOutReason: SignedOutReason | null };

export function refusalOf(rejection: Rejection): Refusal {
  const { httpStatus, clearsCookies, tellsWhy } = REFUSALS[rejection.reason];
  const signedOutReason =
    tellsWhy === 'from_row' ? signedOutReasonFor({ state: 'revoked', revokedReason: rejection.revokedReason }) : tellsWhy;
  return { httpStatus, clearsCookies, signedOutReason };
}

export type RotationDecision =
  | { do: 'refuse'; rejection: Rejection }
  /** Found past a deadline: write the ending (./session-timeouts.ts), then refuse with `state`. */
  | { do: 'end_timed_out'; token: PresentedToken; state: 'idle_expired' | 'absolute_expired' }
  /** Exchange the token for its successor: the atomic conditional update picks one winner. */
  | { do: 'rotate'; token: PresentedToken }
  /** The presented (live) token back with a new access token, writing nothing. */
  | { do: 'answer_current'; token: PresentedToken }
  /** A concurrent sibling of the rotation: the winner's successor, if still live. */
  | { do: 'answer_sibling'; token: PresentedToken }
  /** Reuse: two parties hold copies, so the whole session is revoked (RFC 9700 4.14.2). */
  | { do: 'revoke_for_reuse'; token: PresentedToken }
  /** A proof by another key (or forged, or for another request): the session ends (lib/binding/proof-verdict.ts). */
  | { do: 'end_for_failed_proof'; token: PresentedToken; failure: ProofFailureReason };

const refuse = (reason: RejectionReason): RotationDecision => ({ do: 'refuse', rejection: { status: 'rejected', reason } });

/** `found`: the presented token's row, or null when there is none (or no well-formed token at all). */
export function decideRotation(
  found: PresentedToken | null,
  request: RotationRequest,
  now: Date,
  policy: RotationPolicy,
): RotationDecision {
  // Before anything is consumed or revoked: a planted token must not touch its own session either.
  if (cookiesDisagree(request, found)) return refuse('session_mismatch');
  if (!found) return refuse('unknown');
  const ended = decideEndedSession(found, now);
  if (ended) return ended;
  // Before the token's own state: a request without the key neither consumes a token nor trips reuse.
  const binding = decideBinding(found, request.proof);
  if (binding) return binding;
  if (found.revokedAt) return refuse('withdrawn');
  if (found.rotatedAt !== null) return request.readLiveBefore ? { do: 'answer_sibling', token: found } : decideConsumed(found, now, policy);
  // A live token: rotated, unless the budget is spent or a sibling may still be delivering it.
  const budgetSpent = found.recentRotations >= policy.maxRecentRotations;
  if (budgetSpent || isYoungSuccessor(found, now, policy)) return { do: 'answer_current', token: found };
  return { do: 'rotate', token: found };
}

/**
 * The session first: ended (withdrawn when its owner replaced it by typing the password, else revoked,
 * with why) or past a deadline (to be written). Null while it is live.
 */
function decideEndedSession(found: PresentedToken, now: Date): RotationDecision | null {
  const { session } = found;
  const state = sessionState(session, now);
  if (state === 'revoked') {
    if (endedByReplacement(session.revokedReason)) return refuse('withdrawn');
    return { do: 'refuse', rejection: { status: 'rejected', reason: 'revoked', revokedReason: session.revokedReason } };
  }
  if (state !== 'active') return { do: 'end_timed_out', token: found, state };
  return null;
}

/**
 * A token someone consumed before this request read it. Inside the grace window it is a sibling of that
 * rotation; after it, a replay.
 */
export function decideConsumed(found: PresentedToken, now: Date, policy: RotationPolicy): RotationDecision {
  if (!found.rotatedAt) return refuse('withdrawn');
  const sibling = now.getTime() - found.rotatedAt.getTime() <= policy.reuseGraceMs;
  return sibling ? { do: 'answer_sibling', token: found } : { do: 'revoke_for_reuse', token: found };
}

/**
 * Cookie tossing (docs/decisions/0005-refused-renewals.md): a session cookie sent twice, or a refresh
 * token of another session than the request's valid access token names. The `__Host-` access cookie
 * cannot be planted, so it is the reference the refresh cookie must agree with.
 */
function cookiesDisagree(request: RotationRequest, found: PresentedToken | null): boolean {
  if (request.duplicatedCookies) return true;
  return found !== null && request.accessTokenSessionId !== undefined && request.accessTokenSessionId !== found.session.id;
}

/**
 * A session its owner replaced by typing the password (`replaceSession`, lib/session/session-store.ts):
 * that browser already holds a newer session, so a refresh still on its way with the old token is
 * refused as withdrawn and leaves its cookies alone. Not `lab_token_copied` (rows an older /lab wrote):
 * that replacement needed no password, so the browser still holding the old session is told why.
 */
export function endedByReplacement(reason: string | null): boolean {
  return reason === 'password_changed' || reason === 'reauthenticated';
}

/**
 * A token issued by a rotation less than the grace window ago: a sibling request may still be
 * delivering it, so it is not rotated again (docs/decisions/0002-reuse-grace-window.md). A live token in
 * a session that never rotated is the sign-in token, which no sibling delivers: it rotates at once.
 */
function isYoungSuccessor(found: PresentedToken, now: Date, policy: RotationPolicy): boolean {
  return found.rotations.rotations > 0 && now.getTime() - found.createdAt.getTime() < policy.reuseGraceMs;
}

/**
 * A bound session's renewal needs its key: `key_proof` sessions a valid proof on their current nonce
 * (docs/decisions/0102-key-bound-renewal.md), `dbsc` sessions have no refresh token left to present.
 * Null: nothing stands in the way, go on to the token.
 */
function decideBinding(found: PresentedToken, proof: RenewalProof | undefined): RotationDecision | null {
  const { kind, nonce } = found.binding;
  if (kind === 'dbsc') return refuse('dbsc_bound');
  if (kind === 'unrecognised') return refuse('proof_required');
  if (kind !== 'key_proof') return null;
  if (!proof || proof.status === 'absent') return refuse('proof_required');
  if (proof.status === 'verified') return null;
  if (verdictFor(proof.reason, 'renewal') === 'retry') return proofRetry(nonce);
  return { do: 'end_for_failed_proof', token: found, failure: proof.reason };
}

/** Sign again on `nonce`, the session's current one. */
function proofRetry(nonce: string | null): RotationDecision {
  return { do: 'refuse', rejection: { status: 'rejected', reason: 'proof_retry', nonce: nonce ?? undefined } };
}
