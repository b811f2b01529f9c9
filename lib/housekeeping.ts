/**
 * Keeps every table bounded (no client may grow one without bound), on a schedule (lib/startup.ts,
 * every HOUSEKEEPING_INTERVAL_SECONDS) and by `npm run db:prune`, never as a side effect of a request:
 * ends timed-out sessions, deletes ended sessions once no access token of theirs can be valid, old
 * rate-limit rows, security events past SECURITY_EVENT_RETENTION_DAYS and expired /lab token copies.
 * Safe to run from several instances at once. What each step keeps, and why: docs/decisions/0053-housekeeping.md.
 */
import 'server-only';
import { db } from './db/client';
import { getConfig } from './config/config';
import { longestAttemptWindowSeconds } from './limits/rate-limit';
import { idleCutoff } from './session/session-policy';
import { revocationListCutoff } from './session/revocation-list';
import { endTimedOutSessions } from './session/session-timeouts';

export type PruneCounts = {
  /** Sessions found past their idle or absolute deadline and ended now, each with its event. */
  timedOutSessions: number;
  sessions: number;
  refreshTokens: number;
  rateLimitAttempts: number;
  securityEvents: number;
  labTokenCopies: number;
  /** Expired DBSC challenges (lib/session/dbsc-challenges.ts); those of deleted sessions are counted too. */
  bindingChallenges: number;
};

const DAY_MS = 86_400_000;

export async function pruneExpiredRecords(now = new Date()): Promise<PruneCounts> {
  // First, a timeout nothing has noticed yet is written like any ending, with its event for the owner
  // (lib/session/session-timeouts.ts): otherwise the row would vanish with no trace on /activity.
  const timedOutSessions = await endTimedOutSessions(db(), now);
  const endedBy = revocationListCutoff(now);
  const endedSessions = {
    OR: [{ revokedAt: { lte: endedBy } }, { expiresAt: { lte: endedBy } }, { lastActiveAt: { lte: idleCutoff(endedBy) } }],
  };
  const attemptCutoff = new Date(now.getTime() - longestAttemptWindowSeconds() * 1000);
  const eventCutoff = new Date(now.getTime() - getConfig().SECURITY_EVENT_RETENTION_DAYS * DAY_MS);
  const [bindingChallenges, refreshTokens, sessions, rateLimitAttempts, securityEvents, labTokenCopies] = await db().$transaction([
    db().bindingChallenge.deleteMany({ where: { OR: [{ expiresAt: { lte: now } }, { session: endedSessions }] } }),
    // Counted explicitly (cascade would delete them silently) so the report is honest.
    db().refreshToken.deleteMany({ where: { session: endedSessions } }),
    db().session.deleteMany({ where: endedSessions }),
    db().rateLimitAttempt.deleteMany({ where: { createdAt: { lte: attemptCutoff } } }),
    db().securityEvent.deleteMany({ where: { createdAt: { lte: eventCutoff } } }),
    db().labTokenCopy.deleteMany({ where: { keepUntil: { lte: now } } }),
  ]);
  return {
    timedOutSessions,
    sessions: sessions.count,
    refreshTokens: refreshTokens.count,
    rateLimitAttempts: rateLimitAttempts.count,
    securityEvents: securityEvents.count,
    labTokenCopies: labTokenCopies.count,
    bindingChallenges: bindingChallenges.count,
  };
}
