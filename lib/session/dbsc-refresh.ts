/**
 * The DBSC refresh, the shell around ./dbsc-decision.ts: read the session the browser's
 * Sec-Secure-Session-Id names, check its Secure-Session-Response against the registered key, decide,
 * then write (consume the signed challenge, touch the session so the idle timeout runs from DBSC
 * refreshes as from rotations, issue the next challenge) in one transaction.
 * Why: docs/decisions/0103-dbsc-endpoints.md.
 */
import 'server-only';
import { db } from '../db/client';
import { verifyDbscRefreshProof } from '../binding/dbsc-proof';
import { parsePublicJwk } from '../binding/public-key';
import type { SessionUser } from '../auth/user';
import type { RequestMeta } from '../request/request-meta';
import { decideDbscRefresh, dbscRefusalOf, type DbscRefreshProof, type DbscRefusal, type DbscSessionRow } from './dbsc-decision';
import { consumeChallenge, issueChallenge } from './dbsc-challenges';
import { endForFailedProof } from './binding-store';
import { liveAt } from './session-store';
import { idleDeadline } from './session-policy';
import { endTimedOutSession } from './session-timeouts';

export type DbscRefreshOutcome =
  | {
      status: 'refreshed';
      sessionId: string;
      user: SessionUser;
      /** The session's deadlines after this refresh: the new access token must not outlive them. */
      timeline: { idleExpiresAt: Date; absoluteExpiresAt: Date };
      nextChallenge: string;
    }
  /** `challenge`: with a 403, the fresh one the browser is to sign. */
  | { status: 'refused'; refusal: DbscRefusal; challenge?: string };

/** A write lost to a concurrent ending: rolled back, then the request is decided again. */
class SessionEndedMeanwhile extends Error {}

/**
 * `dbscSessionId`: Sec-Secure-Session-Id as read (null when missing or unreadable). `proofToken`:
 * Secure-Session-Response as read, or null.
 */
export async function refreshDbscSession(
  dbscSessionId: string | null,
  proofToken: string | null,
  meta: RequestMeta,
  now: Date,
  /** A decision whose premise changed before it was written may be made once more. */
  mayDecideAgain = true,
): Promise<DbscRefreshOutcome> {
  const row = dbscSessionId ? await findByDbscSessionId(dbscSessionId) : null;
  const proof = await checkProof(row, proofToken);
  const decision = decideDbscRefresh(row, proof, now);
  switch (decision.do) {
    case 'unknown':
    case 'terminate':
      return { status: 'refused', refusal: dbscRefusalOf(decision) };
    case 'end_timed_out': {
      const session = row!;
      const ended = await endTimedOutSession({ id: session.id, userId: session.user.id }, decision.state, meta, now);
      // Nothing written: a refresh touched the session after this one read it (so it is not past its
      // deadline any more), or something ended it meanwhile. Decided again on the row as it now reads.
      if (!ended && mayDecideAgain) return refreshDbscSession(dbscSessionId, proofToken, meta, now, false);
      const signedOutReason = decision.state === 'idle_expired' ? 'idle_timeout' : 'absolute_timeout';
      return { status: 'refused', refusal: dbscRefusalOf({ do: 'terminate', signedOutReason }) };
    }
    case 'end_for_failed_proof':
      await endForFailedProof(row!.id, row!.user, decision.failure, meta, now);
      return { status: 'refused', refusal: dbscRefusalOf(decision) };
    case 'challenge':
      return challengeFor(row!.id, now);
    case 'refresh': {
      const session = row!;
      try {
        const next = await db().$transaction(async (tx) => {
          if (!(await consumeChallenge(tx, { sessionId: session.id, purpose: 'dbsc_refresh', challenge: decision.challenge }, now))) return null;
          const touched = await tx.session.updateMany({ where: { id: session.id, bindingKind: 'dbsc', ...liveAt(now) }, data: { lastActiveAt: now } });
          if (touched.count !== 1) throw new SessionEndedMeanwhile();
          return issueChallenge(tx, session.id, 'dbsc_refresh', now);
        });
        // Signed, but not on a live challenge of this session: replayed, expired, or another's.
        if (next === null) return challengeFor(session.id, now);
        const timeline = { idleExpiresAt: idleDeadline(now), absoluteExpiresAt: session.expiresAt };
        return { status: 'refreshed', sessionId: session.id, user: session.user, timeline, nextChallenge: next };
      } catch (error) {
        if (!(error instanceof SessionEndedMeanwhile)) throw error;
        // Ended between the read and the write: answered as that ending, with no proof to weigh.
        return refreshDbscSession(dbscSessionId, null, meta, now, false);
      }
    }
  }
}

async function challengeFor(sessionId: string, now: Date): Promise<DbscRefreshOutcome> {
  const challenge = await issueChallenge(db(), sessionId, 'dbsc_refresh', now);
  return { status: 'refused', refusal: dbscRefusalOf({ do: 'challenge' }), challenge };
}

/** The session bound by DBSC under this identifier, or null. */
async function findByDbscSessionId(dbscSessionId: string): Promise<DbscSessionRow | null> {
  const row = await db().session.findUnique({
    where: { dbscSessionId },
    select: {
      id: true,
      bindingKind: true,
      bindingPublicKey: true,
      expiresAt: true,
      lastActiveAt: true,
      revokedAt: true,
      revokedReason: true,
      user: { select: { id: true, email: true } },
    },
  });
  if (!row || row.bindingKind !== 'dbsc') return null;
  const { bindingKind: _kind, ...session } = row;
  return session;
}

async function checkProof(row: DbscSessionRow | null, token: string | null): Promise<DbscRefreshProof> {
  if (!row || token === null) return { status: 'absent' };
  const key = parsePublicJwk(parseJson(row.bindingPublicKey));
  if (!key) return { status: 'failed', reason: 'bad_key' };
  const proof = await verifyDbscRefreshProof(token, key);
  return proof.ok ? { status: 'verified', challenge: proof.challenge } : { status: 'failed', reason: proof.reason };
}

function parseJson(text: string | null): unknown {
  try {
    return text === null ? null : JSON.parse(text);
  } catch {
    return null;
  }
}
