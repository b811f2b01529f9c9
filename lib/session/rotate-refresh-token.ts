/**
 * Refresh-token rotation with reuse detection (RFC 9700 4.14.2, ASVS 7.2.4): each refresh token is
 * single-use; exchanging it yields a successor; presenting a used one again after the grace window
 * revokes the whole session. This is the shell: it reads (./rotation-store.ts), lets the pure
 * ./rotation-decision.ts decide, and carries the decision out. Why: docs/decisions/0001-refresh-token-rotation.md.
 */
import 'server-only';
import { getConfig } from '../config/config';
import type { SessionUser } from '../auth/user';
import type { RequestMeta } from '../request/request-meta';
import { hashRefreshToken, isWellFormedRefreshToken } from '../tokens/refresh-token';
import {
  decideRotation,
  MAX_ROTATIONS_PER_ACCESS_TOKEN_LIFETIME,
  type PresentedToken,
  type Rejection,
  type RenewalProof,
  type RotationDecision,
  type RotationPolicy,
  type RotationRequest,
} from './rotation-decision';
import { consumeToken, findLiveSuccessor, findPresentedToken, revokeForReuse } from './rotation-store';
import { checkRenewalProof, type PresentedProof } from './renewal-proof';
import { newProofNonce } from './binding-columns';
import { endForFailedProof } from './binding-store';
import type { IssuedRefreshToken } from './session-types';
import { endTimedOutSession } from './session-timeouts';
import { sessionTimeline, type SessionTimeline } from './session-timeline';

/**
 * Every granted outcome carries the session's timeline as of the rotation (what the refresh answer
 * shows, lib/session/session-timeline.ts), built from the rows the rotation read and wrote.
 */
type Granted = { sessionId: string; user: SessionUser; timeline: SessionTimeline; proofNonce?: string };
export type RotationOutcome =
  /** The caller won: a successor refresh token and a new access token for the session. */
  | (Granted & { status: 'rotated'; refreshToken: IssuedRefreshToken })
  /** A concurrent sibling within the grace window: the winner's successor when it is still live. */
  | (Granted & { status: 'sibling'; refreshToken?: IssuedRefreshToken })
  /** The budget is spent, or the token is younger than the grace window: the presented token back. */
  | (Granted & { status: 'current'; refreshToken: IssuedRefreshToken })
  | Rejection;

/**
 * `presented`: the refresh cookie's value, if any. `now`: when the request arrived
 * (lib/request/request-context.ts `judgedAt`), so a sibling that waited its turn is judged by then.
 */
export function rotateRefreshToken(
  presented: string | undefined,
  meta: RequestMeta,
  now = new Date(),
  options: Omit<RotationRequest, 'proof' | 'readLiveBefore'> & { keyProof?: PresentedProof } = {},
): Promise<RotationOutcome> {
  return rotate(presented, meta, now, options, { readLiveBefore: false, decisionsLeft: MAX_DECISIONS });
}

/**
 * How many times one request may decide: once, and again after another request's write landed between
 * its read and its own (a lost race to consume the token, a timeout that was no longer due).
 */
const MAX_DECISIONS = 3;

async function rotate(
  presented: string | undefined,
  meta: RequestMeta,
  now: Date,
  options: Omit<RotationRequest, 'proof' | 'readLiveBefore'> & { keyProof?: PresentedProof },
  round: { readLiveBefore: boolean; decisionsLeft: number },
): Promise<RotationOutcome> {
  const { keyProof, ...request } = options;
  const policy = rotationPolicy();
  // A planted cookie, or nothing that could be a token: nothing to look up.
  const readable = presented !== undefined && isWellFormedRefreshToken(presented) && !request.duplicatedCookies;
  const found = readable ? await findToken(presented, now) : null;
  const proof = await checkRenewalProof(found, keyProof, now);
  const decision = decideRotation(found, { ...request, proof, readLiveBefore: round.readLiveBefore }, now, policy);
  if (decision.do === 'refuse') return decision.rejection;
  // Read the row again and decide again, knowing whether this request saw the token live.
  const readLive = round.readLiveBefore || (found !== null && found.rotatedAt === null && found.revokedAt === null);
  const again =
    round.decisionsLeft > 1 ? () => rotate(presented, meta, now, options, { readLiveBefore: readLive, decisionsLeft: round.decisionsLeft - 1 }) : null;
  // Any other decision names the row found for `presented`.
  return carryOut(decision, presented as string, meta, now, policy, again, proof);
}

async function carryOut(
  decision: RotationDecision,
  presented: string,
  meta: RequestMeta,
  now: Date,
  policy: RotationPolicy,
  again: (() => Promise<RotationOutcome>) | null,
  proof: RenewalProof | undefined,
): Promise<RotationOutcome> {
  switch (decision.do) {
    case 'refuse':
      return decision.rejection;
    case 'end_timed_out': {
      const { session } = decision.token;
      if (await endTimedOutSession({ id: session.id, userId: session.user.id }, decision.state, meta, now)) {
        return { status: 'rejected', reason: decision.state };
      }
      // Nothing was written: a sibling renewed the session after this request read it (so it is not past
      // its deadline any more), or something ended it meanwhile. Decided again on the row as it now reads.
      return again ? again() : { status: 'rejected', reason: decision.state };
    }
    case 'rotate': {
      const { token } = decision;
      const nonce = proof?.status === 'verified' ? { from: proof.nonce, to: newProofNonce() } : undefined;
      const successor = await consumeToken(token.id, token.session.id, presented, now, nonce);
      if (!successor) {
        // Another request's write came first, after this one read the token live: decided again on the
        // row as it now reads (a sibling of that rotation, whatever the arrival times; the session's
        // ending if it ended meanwhile; for a key-bound session, sign again on the nonce that write set).
        return again ? again() : { status: 'rejected', reason: 'withdrawn' };
      }
      // What the batch just wrote: the session touched now, and one more token rotated now.
      const timeline = sessionTimeline(
        { ...token.session, lastActiveAt: now, expiresAt: successor.expiresAt },
        { lastRotatedAt: latest(token.rotations.lastRotatedAt, now), rotations: token.rotations.rotations + 1 },
        now,
      );
      return { status: 'rotated', ...grantFor(token, timeline), refreshToken: successor, ...(nonce && { proofNonce: nonce.to }) };
    }
    case 'answer_current': {
      // Nothing is written: the session is as the lookup read it.
      const { token } = decision;
      const timeline = sessionTimeline(token.session, token.rotations, now);
      return { status: 'current', ...grantFor(token, timeline), refreshToken: { token: presented, expiresAt: token.session.expiresAt } };
    }
    case 'answer_sibling': {
      const { token } = decision;
      const timeline = sessionTimeline(token.session, token.rotations, now);
      const successor = await findLiveSuccessor(presented, token.session.id, now, policy.reuseGraceMs);
      return successor
        ? { status: 'sibling', ...grantFor(token, timeline), refreshToken: successor }
        : { status: 'sibling', ...grantFor(token, timeline) };
    }
    case 'revoke_for_reuse':
      await revokeForReuse(decision.token.session.id, decision.token.session.user, meta, now);
      return { status: 'rejected', reason: 'reused' };
    case 'end_for_failed_proof':
      await endForFailedProof(decision.token.session.id, decision.token.session.user, decision.failure, meta, now);
      return { status: 'rejected', reason: 'proof_failed' };
  }
}

function rotationPolicy(): RotationPolicy {
  return {
    reuseGraceMs: getConfig().REFRESH_REUSE_GRACE_SECONDS * 1000,
    maxRecentRotations: MAX_ROTATIONS_PER_ACCESS_TOKEN_LIFETIME,
  };
}

/** The lookup, with the budget's window: rotations within the last access-token lifetime count. */
function findToken(presented: string, now: Date): Promise<PresentedToken | null> {
  return findPresentedToken(hashRefreshToken(presented), new Date(now.getTime() - getConfig().ACCESS_TOKEN_TTL_SECONDS * 1000));
}

/** A key-bound session's answer also names the nonce to sign the next renewal with. */
function grantFor(token: PresentedToken, timeline: SessionTimeline): Granted {
  const proofNonce = token.binding.kind === 'key_proof' ? (token.binding.nonce ?? undefined) : undefined;
  return { sessionId: token.session.id, user: token.session.user, timeline, ...(proofNonce && { proofNonce }) };
}

const latest = (a: Date | null, b: Date) => (a && a.getTime() > b.getTime() ? a : b);
