/**
 * Keeps the tables bounded: ended sessions (revoked, idle- or absolute-expired) are deleted with their
 * refresh tokens (cascade), and rate-limit rows older than their window go too.
 *
 * Used refresh tokens of a *live* session are kept on purpose: reuse detection needs them. A replayed
 * token of a deleted session is simply unknown, which is refused the same way.
 * Security events are the audit trail and are not pruned here.
 */
import 'server-only';
import { db } from './client';
import { longestAttemptWindowSeconds } from '../http/rate-limit';
import { idleCutoff } from '../session/session-policy';

export type PruneCounts = { sessions: number; refreshTokens: number; loginAttempts: number };

export async function pruneExpiredRecords(now = new Date()): Promise<PruneCounts> {
  const endedSessions = {
    OR: [{ revokedAt: { not: null } }, { expiresAt: { lte: now } }, { lastActiveAt: { lte: idleCutoff(now) } }],
  };
  const attemptCutoff = new Date(now.getTime() - longestAttemptWindowSeconds() * 1000);
  const [refreshTokens, sessions, loginAttempts] = await db().$transaction([
    // Counted explicitly (cascade would delete them silently) so the report is honest.
    db().refreshToken.deleteMany({ where: { session: endedSessions } }),
    db().session.deleteMany({ where: endedSessions }),
    db().loginAttempt.deleteMany({ where: { createdAt: { lte: attemptCutoff } } }),
  ]);
  return { sessions: sessions.count, refreshTokens: refreshTokens.count, loginAttempts: loginAttempts.count };
}

/** Called after sign-ins: about one in fifty runs a prune, so no scheduler is needed for the demo. */
export async function maybePruneExpiredRecords(now = new Date(), chance = Math.random()): Promise<void> {
  if (chance >= 0.02) return;
  try {
    await pruneExpiredRecords(now);
  } catch (error) {
    console.error('Opportunistic prune failed', error);
  }
}
