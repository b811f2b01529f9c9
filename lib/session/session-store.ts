/**
 * Session rows: create, revoke, replace. A session is the unit of revocation; its refresh tokens hang
 * off it, and every sensitive action re-reads it (lib/dal.ts, `checkActiveSession`).
 */
import 'server-only';
import { db } from '../db/client';
import type { Prisma } from '../generated/prisma/client';
import type { RequestMeta } from '../http/request-meta';
import { absoluteDeadline, idleCutoff } from './session-policy';
import { generateRefreshToken, hashRefreshToken } from './refresh-token';
import { noteLocalRevocation } from './revocation-list';

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

/**
 * Why a session ended, stored on the row. `password_changed` and `reauthenticated` name the session in
 * which the password was typed: that browser continues in a new session (`replaceSession`), so a
 * refresh racing it is not news to anyone. The others ended a session its holder did not end
 * themselves, which the sign-in page explains (lib/session/signed-out-reason.ts):
 * - `password_changed_elsewhere`: the password was changed in another session (ASVS 7.4.3);
 * - `revoked_by_user`: signed out from another device on /sessions (ASVS 7.5.2);
 * - `refresh_token_reuse`: reuse detection (RFC 9700 4.14.2).
 * Rows ended by an older /lab carry `lab_token_copied`, which nothing writes any more; the sign-in page
 * explains those too (`LEGACY_LAB_REVOCATION` in lib/session/signed-out-reason.ts).
 */
export type RevocationReason =
  | 'logout'
  | 'refresh_token_reuse'
  | 'password_changed'
  | 'password_changed_elsewhere'
  | 'reauthenticated'
  | 'revoked_by_user';

/** A client or the `tx` of an interactive transaction: these helpers compose into a caller's transaction. */
type Writer = Prisma.TransactionClient;

/**
 * The reasons `replaceSession` ends a session with: the browser that did it already holds a newer
 * session, so a refresh still on its way with the old token must leave that browser's cookies alone
 * (lib/session/rotate-refresh-token.ts).
 */
export function endedByReplacement(reason: string | null): boolean {
  // Not `lab_token_copied` (rows an older /lab wrote): that replacement needed no password, so it may
  // have been a thief's doing, and the browser still holding the old session must be told why.
  return reason === 'password_changed' || reason === 'reauthenticated';
}

/** A new session per sign-in (ASVS 7.2.4): never reuse an identifier from before authentication. */
export async function createSession(
  userId: string,
  meta: RequestMeta,
  now = new Date(),
  tx: Pick<Writer, 'session'> = db(),
): Promise<{ session: SessionRecord; refreshToken: IssuedRefreshToken }> {
  const refreshToken = generateRefreshToken();
  const session = await tx.session.create({
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

/**
 * Sessions still usable at `now`: not revoked, not absolute- or idle-expired. The query form of
 * `sessionState(row, now) === 'active'` (lib/session/session-policy.ts).
 */
export function liveAt(now: Date) {
  return { revokedAt: null, expiresAt: { gt: now }, lastActiveAt: { gt: idleCutoff(now) } } satisfies Prisma.SessionWhereInput;
}

export type ActiveSessionSummary = {
  id: string;
  createdAt: Date;
  lastActiveAt: Date;
  ipAddress: string | null;
  userAgent: string | null;
};

/** Every live session of a user, most recently active first (ASVS 7.5.2: see and end your sessions). */
export async function listActiveSessions(userId: string, now = new Date()): Promise<ActiveSessionSummary[]> {
  return db().session.findMany({
    where: { userId, ...liveAt(now) },
    orderBy: [{ lastActiveAt: 'desc' }, { id: 'asc' }],
    select: { id: true, createdAt: true, lastActiveAt: true, ipAddress: true, userAgent: true },
  });
}

/**
 * Ends one session at once (ASVS 7.4.1). False when it was already ended, which makes logout idempotent.
 * In revocation-list mode this process's next read refuses it at once, not only within the bound
 * (`noteLocalRevocation`, after the commit: a snapshot taken earlier could not contain it).
 */
export async function revokeSession(sessionId: string, reason: RevocationReason, now = new Date()): Promise<boolean> {
  const ended = await db().$transaction((tx) => revokeSessions(tx, { id: sessionId }, reason, now));
  if (ended > 0) noteLocalRevocation();
  return ended > 0;
}

/** Ends every session of a user but one (ASVS 7.4.3). Returns how many ended. */
export async function revokeOtherSessions(
  userId: string,
  keepSessionId: string,
  reason: RevocationReason,
  now = new Date(),
): Promise<number> {
  const ended = await db().$transaction((tx) => revokeSessions(tx, { userId, id: { not: keepSessionId } }, reason, now));
  if (ended > 0) noteLocalRevocation();
  return ended;
}

/**
 * The person just typed their password in this live session (step-up confirmation or password
 * change): the browser that typed it continues in a NEW session, and the old one ends with `reason`.
 * Only these: a replacement hands the caller a new refresh token, so it must be earned by a password
 * typed in the very request, never by the access token alone (a stolen one would become a whole
 * session). The new session's `authenticatedAt` is therefore always `now`.
 *
 * Why not keep the session and only refresh its `authenticatedAt`: whoever copied this browser's
 * cookies (a stolen access token, refresh token, or a just-rotated refresh token inside the grace
 * window) holds credentials for the old session, and every check keyed on that row would then credit
 * them with the password the real person typed (ASVS 7.5.3 step-up, 7.2.4 new token on
 * re-authentication; OWASP: renew the session identifier on any privilege change). Ending the row
 * ends all of them at once, whatever path minted them. Only this response carries the new session's
 * tokens, so only the browser that typed the password holds them.
 *
 * The new session keeps the old one's `createdAt` and `expiresAt`: a password entry renews the
 * identifier, not the absolute lifetime fixed at sign-in (ASVS 7.3.2).
 *
 * Returns null, having written nothing, if the session is no longer live (revoked, idle- or
 * absolute-expired at `now`, or not this user's). Run it inside a transaction; it writes first, so it
 * takes the write lock at once (see lib/db/sqlite-adapter.ts).
 */
export async function replaceSession(
  tx: Writer,
  current: { sessionId: string; userId: string },
  reason: Extract<RevocationReason, 'password_changed' | 'reauthenticated'>,
  meta: RequestMeta,
  now: Date,
): Promise<{ session: SessionRecord; refreshToken: IssuedRefreshToken } | null> {
  const live = { id: current.sessionId, userId: current.userId, ...liveAt(now) };
  if ((await revokeSessions(tx, live, reason, now)) === 0) return null;
  const old = await tx.session.findUniqueOrThrow({
    where: { id: current.sessionId },
    select: { createdAt: true, expiresAt: true },
  });
  const refreshToken = generateRefreshToken();
  const session = await tx.session.create({
    data: {
      userId: current.userId,
      createdAt: old.createdAt,
      lastActiveAt: now,
      authenticatedAt: now,
      expiresAt: old.expiresAt,
      userAgent: meta.userAgent,
      ipAddress: meta.ipAddress,
      refreshTokens: { create: { tokenHash: hashRefreshToken(refreshToken), createdAt: now } },
    },
  });
  return { session, refreshToken: { token: refreshToken, expiresAt: session.expiresAt } };
}
