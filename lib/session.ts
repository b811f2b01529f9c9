/**
 * Session rows: create, look up, revoke. A session is the unit of revocation; its refresh tokens hang
 * off it, and every sensitive action re-reads it (see lib/sensitive-action.ts).
 */
import 'server-only';
import { db } from './db';
import type { Prisma } from './generated/prisma/client';
import type { RequestMeta } from './audit';
import { absoluteDeadline, sessionState, type SessionState } from './session-policy';
import { generateRefreshToken, hashRefreshToken } from './tokens/refresh';

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

export type SessionLookup =
  | { ok: true; session: SessionRecord; user: { id: string; email: string } }
  | { ok: false; reason: 'missing' | 'wrong_user' | Exclude<SessionState, 'active'> };

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

/**
 * The stateful check behind every sensitive action: the row must exist, belong to the token's user, and
 * be neither revoked nor idle- nor absolute-expired. A live JWT for a dead session fails here.
 */
export async function findActiveSession(sessionId: string, userId: string, now = new Date()): Promise<SessionLookup> {
  const row = await db().session.findUnique({
    where: { id: sessionId },
    include: { user: { select: { id: true, email: true } } },
  });
  if (!row) return { ok: false, reason: 'missing' };
  if (row.userId !== userId) return { ok: false, reason: 'wrong_user' };
  const state = sessionState(row, now);
  if (state !== 'active') return { ok: false, reason: state };
  const { user, ...session } = row;
  return { ok: true, session, user };
}

/**
 * The writes that end every session matching `where` and withdraw their unused refresh tokens, as
 * Prisma operations for one `$transaction`, so a caller can combine them with its own writes.
 * Tokens go first: once a session row is revoked, `where` may no longer match it.
 */
export function revokeSessionsOperations(where: Prisma.SessionWhereInput, reason: RevocationReason, now: Date) {
  const withdrawTokens = db().refreshToken.updateMany({
    where: { session: { ...where, revokedAt: null }, rotatedAt: null, revokedAt: null },
    data: { revokedAt: now },
  });
  const endSessions = db().session.updateMany({
    where: { ...where, revokedAt: null },
    data: { revokedAt: now, revokedReason: reason },
  });
  return [withdrawTokens, endSessions] as [typeof withdrawTokens, typeof endSessions];
}

/** Ends one session at once (ASVS 7.4.1). False when it was already ended, which makes logout idempotent. */
export async function revokeSession(sessionId: string, reason: RevocationReason, now = new Date()): Promise<boolean> {
  const [, sessions] = await db().$transaction(revokeSessionsOperations({ id: sessionId }, reason, now));
  return sessions.count > 0;
}

/** Ends every session of a user but one (ASVS 7.4.3). Returns how many ended. */
export async function revokeOtherSessions(
  userId: string,
  keepSessionId: string,
  reason: RevocationReason,
  now = new Date(),
): Promise<number> {
  const [, sessions] = await db().$transaction(
    revokeSessionsOperations({ userId, id: { not: keepSessionId } }, reason, now),
  );
  return sessions.count;
}

/**
 * A new refresh token for a live session after the person re-authenticated (ASVS 7.2.4): the outstanding
 * one is withdrawn, and the password-entry time is refreshed. Returned as operations for a transaction.
 */
export function reissueRefreshTokenOperations(sessionId: string, now: Date) {
  const token = generateRefreshToken();
  const withdraw = db().refreshToken.updateMany({
    where: { sessionId, rotatedAt: null, revokedAt: null },
    data: { revokedAt: now },
  });
  const create = db().refreshToken.create({ data: { sessionId, tokenHash: hashRefreshToken(token), createdAt: now } });
  const touch = db().session.update({ where: { id: sessionId }, data: { authenticatedAt: now, lastActiveAt: now } });
  return { token, operations: [withdraw, create, touch] as [typeof withdraw, typeof create, typeof touch] };
}

/** Step-up (ASVS 7.5.3): the person just typed their password again in this session. */
export async function markReauthenticated(sessionId: string, now = new Date()): Promise<void> {
  await db().session.update({ where: { id: sessionId }, data: { authenticatedAt: now } });
}
