/**
 * DBSC registration (POST /api/auth/dbsc/register, called by the browser after the sign-in answer's
 * Secure-Session-Registration): the session named by the request's access cookie becomes `dbsc`,
 * bound to the key in the proof, in ONE transaction with the challenge consumed, every refresh token
 * withdrawn (a copied refresh cookie must not be a way around the binding) and the event written.
 * A failure refuses and changes nothing: the session stays as it was (registration stage,
 * lib/binding/proof-verdict.ts). Why: docs/decisions/0103-dbsc-endpoints.md.
 */
import 'server-only';
import { randomBytes } from 'node:crypto';
import { db } from '../db/client';
import { recordSecurityEvent } from '../audit/security-events';
import { verifyDbscRegistrationProof } from '../binding/dbsc-proof';
import type { SessionUser } from '../auth/user';
import type { RequestMeta } from '../request/request-meta';
import { consumeChallenge, issueChallenge } from './dbsc-challenges';
import { liveAt, withdrawRefreshTokens } from './session-store';
import { idleDeadline } from './session-policy';

export type DbscRegistration =
  | {
      ok: true;
      sessionId: string;
      user: SessionUser;
      /** The identifier the browser will send as Sec-Secure-Session-Id: 256 random bits, never the row's id. */
      dbscSessionId: string;
      timeline: { idleExpiresAt: Date; absoluteExpiresAt: Date };
      nextChallenge: string;
    }
  | { ok: false };

/** Thrown inside the transaction to roll back a consumed challenge when the session cannot be bound. */
class NotBindable extends Error {}

/**
 * `sessionId`: the session the request's valid access cookie names (undefined: refused). `proofToken`:
 * Secure-Session-Response as read, or null.
 */
export async function registerDbscSession(
  sessionId: string | undefined,
  proofToken: string | null,
  meta: RequestMeta,
  now: Date,
): Promise<DbscRegistration> {
  if (!sessionId || proofToken === null) return { ok: false };
  const proof = await verifyDbscRegistrationProof(proofToken);
  if (!proof.ok) return { ok: false };
  const dbscSessionId = randomBytes(32).toString('base64url');
  try {
    return await db().$transaction(async (tx) => {
      // Challenge first (a write, so the transaction holds the write lock from its first statement).
      if (!(await consumeChallenge(tx, { sessionId, purpose: 'dbsc_registration', challenge: proof.challenge }, now))) {
        throw new NotBindable();
      }
      const bound = await tx.session.updateMany({
        where: { id: sessionId, bindingKind: { in: ['none', 'key_proof'] }, ...liveAt(now) },
        data: {
          bindingKind: 'dbsc',
          bindingPublicKey: JSON.stringify(proof.publicKey),
          bindingThumbprint: proof.thumbprint,
          boundAt: now,
          dbscSessionId,
          keyProofNonce: null,
          lastActiveAt: now,
        },
      });
      if (bound.count !== 1) throw new NotBindable();
      await withdrawRefreshTokens(tx, sessionId, now);
      const session = await tx.session.findUniqueOrThrow({
        where: { id: sessionId },
        select: { expiresAt: true, user: { select: { id: true, email: true } } },
      });
      await recordSecurityEvent(
        {
          type: 'session_bound',
          userId: session.user.id,
          sessionId,
          meta,
          now,
          detail: 'Bound by Device Bound Session Credentials: only this browser’s key can renew it, and it has no refresh cookie.',
        },
        tx,
      );
      const nextChallenge = await issueChallenge(tx, sessionId, 'dbsc_refresh', now);
      const timeline = { idleExpiresAt: idleDeadline(now), absoluteExpiresAt: session.expiresAt };
      return { ok: true as const, sessionId, user: session.user, dbscSessionId, timeline, nextChallenge };
    });
  } catch (error) {
    if (error instanceof NotBindable) return { ok: false };
    throw error;
  }
}
