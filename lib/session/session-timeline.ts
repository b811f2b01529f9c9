/**
 * A session's timeline as a person can watch it: the session row's state, its idle and absolute
 * deadlines, and when its refresh token last rotated. Read by the dashboard (a separate, labelled
 * read: the page itself is let in by the access token alone); the refresh handler's answer, which
 * lets the page redraw the picture after a renewal without reloading, takes it from the rotation.
 *
 * Never returns a secret: no token, no hash, only times and counts of the caller's own session.
 */
import 'server-only';
import { db } from '../db/client';
import type { AccessTokenClaims } from '../tokens/access-token';
import type { RenewalAnswer, SessionClock, SessionRowSnapshot } from './session-clock-types';
import type { SessionCookies } from '../tokens/issue-session-cookies';
import { idleDeadline, sessionState, type SessionState, type SessionTimes } from './session-policy';

export type SessionTimeline = {
  state: SessionState;
  revokedAt: Date | null;
  revokedReason: string | null;
  /** The session ends if it is not renewed by then (ASVS 7.3.1). */
  idleExpiresAt: Date;
  /** The session ends then, whatever happens (ASVS 7.3.2). */
  absoluteExpiresAt: Date;
  /** When a refresh token of this session was last exchanged for its successor; null before the first rotation. */
  lastRotatedAt: Date | null;
  rotations: number;
};

/** What the timeline is made of: the session row's times, and its refresh tokens' rotations. */
export type SessionRowTimes = SessionTimes & { revokedReason: string | null };
export type SessionRotations = {
  /** The newest `rotatedAt` among the session's refresh tokens; null before the first rotation. */
  lastRotatedAt: Date | null;
  /** How many of the session's refresh tokens were exchanged for a successor. */
  rotations: number;
};

/**
 * The timeline from rows already read: by `readSessionTimeline`, and by the rotation, whose own
 * lookup reads the same row and counts (lib/session/rotation-store.ts), so the refresh answer
 * needs no second read.
 */
export function sessionTimeline(row: SessionRowTimes, tokens: SessionRotations, now: Date): SessionTimeline {
  return {
    state: sessionState(row, now),
    revokedAt: row.revokedAt,
    revokedReason: row.revokedReason,
    idleExpiresAt: idleDeadline(row.lastActiveAt),
    absoluteExpiresAt: row.expiresAt,
    lastRotatedAt: tokens.lastRotatedAt,
    rotations: tokens.rotations,
  };
}

/**
 * The timeline of `sessionId`, or null when there is no such row for `userId` (pruned, or not theirs:
 * a token for someone else's session learns nothing). One read of the row and one aggregate over its
 * refresh tokens, in one transaction so both describe the same moment. What the dashboard reads.
 */
export async function readSessionTimeline(sessionId: string, userId: string, now = new Date()): Promise<SessionTimeline | null> {
  const [row, tokens] = await db().$transaction([
    db().session.findUnique({
      where: { id: sessionId },
      select: { userId: true, lastActiveAt: true, expiresAt: true, revokedAt: true, revokedReason: true },
    }),
    db().refreshToken.aggregate({ where: { sessionId }, _max: { rotatedAt: true }, _count: { rotatedAt: true } }),
  ]);
  if (!row || row.userId !== userId) return null;
  return sessionTimeline(row, { lastRotatedAt: tokens._max.rotatedAt, rotations: tokens._count.rotatedAt }, now);
}

function rowSnapshot(timeline: SessionTimeline, readAt: Date): SessionRowSnapshot {
  return {
    readAt: readAt.toISOString(),
    state: timeline.state,
    revokedAt: timeline.revokedAt?.toISOString() ?? null,
    revokedReason: timeline.revokedReason,
    idleExpiresAt: timeline.idleExpiresAt.toISOString(),
    absoluteExpiresAt: timeline.absoluteExpiresAt.toISOString(),
    lastRotatedAt: timeline.lastRotatedAt?.toISOString() ?? null,
    rotations: timeline.rotations,
  };
}

/** What the dashboard starts from: the verified token's times and the row as read for this render. */
export function sessionClock(claims: AccessTokenClaims, timeline: SessionTimeline | null, readAt: Date): SessionClock {
  return {
    sessionId: claims.sessionId,
    accessToken: { issuedAt: claims.issuedAt.toISOString(), expiresAt: claims.expiresAt.toISOString() },
    row: timeline ? rowSnapshot(timeline, readAt) : null,
  };
}

/** The JSON body of a successful POST /api/auth/refresh. `accessTokenExpiresAt` stays where clients expect it. */
export function renewalAnswer(sessionId: string, cookies: SessionCookies, timeline: SessionTimeline | null, readAt: Date): RenewalAnswer {
  return {
    accessTokenExpiresAt: cookies.accessTokenExpiresAt.toISOString(),
    accessTokenIssuedAt: cookies.accessTokenIssuedAt.toISOString(),
    sessionId,
    session: timeline ? rowSnapshot(timeline, readAt) : null,
  };
}
