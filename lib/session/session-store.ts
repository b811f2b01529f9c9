/**
 * Session rows: create, revoke, re-issue. A session is the unit of revocation; its refresh tokens hang
 * off it, and every sensitive action re-reads it (lib/dal.ts, `checkActiveSession`).
 */
import 'server-only';
import { db } from '../db/client';
import type { Prisma } from '../generated/prisma/client';
import type { RequestMeta } from '../http/request-meta';
import { absoluteDeadline } from './session-policy';
import { generateRefreshToken, hashRefreshToken } from './refresh-token';

export type IssuedRefreshToken = { token: string; expiresAt: Date };

export type SessionRecord = {
  id: string;
  userId: string;
  createdAt: Date;
  lastActiveAt: Date;
  authenticatedAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
};

export type RevocationReason = 'logout' | 'refresh_token_reuse' | 'password_changed' | 'signed_out_by_user';

/** A new session per sign-in (ASVS 7.2.4): never reuse an identifier from before authentication. */
export async function createSession(
  userId: string,
  meta: RequestMeta,
  now = new Date(),
): Promise<{ session: SessionRecord; refreshToken: IssuedRefreshToken }> {
  const refreshToken = generateRefreshToken();
  const session = await db().session.create({
    data: {
      userId,
      createdAt: now,
      lastActiveAt: now,
      authenticatedAt: now,
      expiresAt: absoluteDeadline(now),
      userAgent: meta.userAgent,
      ipAddress: meta.ipAddress,
      refreshTokens: { create: { tokenHash: hashRefreshToken(refreshToken), createdAt: now } },
    },
  });
  return { session, refreshToken: { token: refreshToken, expiresAt: session.expiresAt } };
}

/** A client or the `tx` of an interactive transaction: these helpers compose into a caller's transaction. */
type Writer = Prisma.TransactionClient;

/**
 * Ends every session matching `where` and withdraws their unused refresh tokens; returns how many
 * sessions ended. Run it inside a transaction. Tokens go first: once a session row is revoked,
 * `where` no longer matches it. Both statements are writes, so the transaction takes the write lock
 * at once instead of reading first (see lib/db/sqlite-adapter.ts).
 */
export async function revokeSessions(
  tx: Writer,
  where: Prisma.SessionWhereInput,
  reason: RevocationReason,
  now: Date,
): Promise<number> {
  await tx.refreshToken.updateMany({
    where: { session: { ...where, revokedAt: null }, rotatedAt: null, revokedAt: null },
    data: { revokedAt: now },
  });
  const ended = await tx.session.updateMany({
    where: { ...where, revokedAt: null },
    data: { revokedAt: now, revokedReason: reason },
  });
  return ended.count;
}

/** Ends one session at once (ASVS 7.4.1). False when it was already ended, which makes logout idempotent. */
export async function revokeSession(sessionId: string, reason: RevocationReason, now = new Date()): Promise<boolean> {
  return (await db().$transaction((tx) => revokeSessions(tx, { id: sessionId }, reason, now))) > 0;
}

/** Ends every session of a user but one (ASVS 7.4.3). Returns how many ended. */
export async function revokeOtherSessions(
  userId: string,
  keepSessionId: string,
  reason: RevocationReason,
  now = new Date(),
): Promise<number> {
  return db().$transaction((tx) => revokeSessions(tx, { userId, id: { not: keepSessionId } }, reason, now));
}

/**
 * A new refresh token for a live session after the person re-authenticated (ASVS 7.2.4): the
 * outstanding one is withdrawn and the password-entry time refreshed. Returns null, writing nothing
 * that matters, if the session was ended meanwhile; the caller's transaction should then roll back.
 * Run it inside a transaction.
 */
export async function reissueRefreshToken(tx: Writer, sessionId: string, now: Date): Promise<IssuedRefreshToken | null> {
  const touched = await tx.session.updateMany({
    where: { id: sessionId, revokedAt: null },
    data: { authenticatedAt: now, lastActiveAt: now },
  });
  if (touched.count === 0) return null;
  await tx.refreshToken.updateMany({ where: { sessionId, rotatedAt: null, revokedAt: null }, data: { revokedAt: now } });
  const token = generateRefreshToken();
  await tx.refreshToken.create({ data: { sessionId, tokenHash: hashRefreshToken(token), createdAt: now } });
  const { expiresAt } = await tx.session.findUniqueOrThrow({ where: { id: sessionId }, select: { expiresAt: true } });
  return { token, expiresAt };
}

/** Step-up (ASVS 7.5.3): the person just typed their password again in this session. */
export async function markReauthenticated(sessionId: string, now = new Date()): Promise<void> {
  await db().session.update({ where: { id: sessionId }, data: { authenticatedAt: now } });
}
