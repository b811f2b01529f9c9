/**
 * Session rows: create, revoke, replace. A session is the unit of revocation; its refresh tokens hang
 * off it, and every sensitive action re-reads it (lib/dal.ts, `verifyLiveSession`).
 */
import 'server-only';
import { db } from '../db/client';
import type { Prisma } from '../generated/prisma/client';
import type { RequestMeta } from '../request/request-meta';
import { getConfig } from '../config/config';
import { absoluteDeadline, idleCutoff } from './session-policy';
import { generateRefreshToken, hashRefreshToken } from '../tokens/refresh-token';
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
 * - `refresh_token_reuse`: reuse detection (RFC 9700 4.14.2);
 * - `idle_timeout` / `absolute_timeout`: found past its idle or absolute deadline (ASVS 7.3.1, 7.3.2)
 *   by a refused renewal, a refused sensitive action or housekeeping (./session-timeouts.ts);
 * - `session_limit`: the oldest live session, ended when a sign-in would exceed MAX_SESSIONS_PER_USER.
 * Rows ended by an older /lab carry `lab_token_copied`, which nothing writes any more; the sign-in page
 * explains those too (`LEGACY_LAB_REVOCATION` in lib/session/signed-out-reason.ts).
 */
export type RevocationReason =
  | 'logout'
  | 'refresh_token_reuse'
  | 'password_changed'
  | 'password_changed_elsewhere'
  | 'reauthenticated'
  | 'revoked_by_user'
  | 'idle_timeout'
  | 'absolute_timeout'
  | 'session_limit';

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

/** Ends every session matching `where` with `reason` at `now`; returns how many ended. */
export type EndSessions = (where: Prisma.SessionWhereInput, reason: RevocationReason, now: Date) => Promise<number>;

/**
 * The transactions opened by `endSessionsTransaction`, each with the sessions it has ended so far.
 * `replaceSession` is given a `tx` by its caller: it looks it up here and refuses one opened elsewhere,
 * whose commit nothing would follow with the local note.
 */
const endingTransactions = new WeakMap<object, EndSessions>();

/**
 * The ONE way a session ends, whatever the cause (logout, /sessions, password change, step-up,
 * reuse detection, timeouts found, the session cap, the lab). `work` runs inside one interactive
 * transaction and ends sessions through `end`; the caller's other writes (its security events) commit
 * with them. After the commit, if anything ended, this process's revocation list is told
 * (`noteLocalRevocation`): in ACCESS_TOKEN_CHECK=revocation-list mode its next read refuses the ended
 * sessions' access tokens at once, not only within the cross-process bound. The note must follow the
 * commit: a snapshot taken before it could not contain the revocation. Nothing else in the app writes
 * `revokedAt` on a session (tests/unit/ending-sessions.test.ts reads the source to keep it so).
 */
export async function endSessionsTransaction<T>(work: (tx: Writer, end: EndSessions) => Promise<T>): Promise<T> {
  let ended = 0;
  const result = await db().$transaction(async (tx) => {
    const end: EndSessions = async (where, reason, now) => {
      const count = await endMatching(tx, where, reason, now);
      ended += count;
      return count;
    };
    endingTransactions.set(tx, end);
    try {
      return await work(tx, end);
    } finally {
      endingTransactions.delete(tx);
    }
  });
  if (ended > 0) noteLocalRevocation();
  return result;
}

/**
 * Ends every session matching `where` and withdraws their unused refresh tokens. Tokens go first:
 * once a session row is revoked, `where` no longer matches it. Both statements are writes, so the
 * transaction takes the write lock at once instead of reading first (see lib/db/sqlite-adapter.ts).
 * The revocation is one conditional update (`revokedAt IS NULL`): of several instances ending the
 * same session, one counts it.
 */
async function endMatching(tx: Writer, where: Prisma.SessionWhereInput, reason: RevocationReason, now: Date): Promise<number> {
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
 * Makes room for one more session of `userId` under MAX_SESSIONS_PER_USER, inside the sign-in's
 * `endSessionsTransaction`: ends the live sessions unused the longest (reason `session_limit`) so that,
 * with the one about to be created, at most the cap are live. Returns the ended sessions' ids.
 *
 * Concurrent sign-ins of one account must not each count the same live sessions and all insert: the
 * first statement is a write to the user's row, which on PostgreSQL row-locks it until the commit
 * (a second sign-in of the same account waits there, then, under READ COMMITTED, counts what the first
 * committed) and on SQLite takes the database's write lock (lib/db/sqlite-adapter.ts). Portable SQL:
 * quoted identifiers and a bound parameter, nothing SQLite-only.
 */
export async function makeRoomForSession(tx: Writer, end: EndSessions, userId: string, now: Date): Promise<string[]> {
  await tx.$executeRaw`UPDATE "User" SET "email" = "email" WHERE "id" = ${userId}`;
  const max = getConfig().MAX_SESSIONS_PER_USER;
  const beyond = await tx.session.findMany({
    where: { userId, ...liveAt(now) },
    orderBy: [{ lastActiveAt: 'desc' }, { id: 'desc' }],
    skip: max - 1,
    select: { id: true },
  });
  if (beyond.length === 0) return [];
  const ids = beyond.map((row) => row.id);
  await end({ userId, id: { in: ids } }, 'session_limit', now);
  return ids;
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

/** Other sessions shown per page of /sessions. */
export const SESSIONS_PAGE_SIZE = 10;

export type SessionsCursor = { createdAt: Date; id: string };

/** Where a page of /sessions starts: the newest sign-ins, or older / newer than a cursor. */
export type SessionsPosition = { from: 'newest' } | { from: 'before' | 'after'; cursor: SessionsCursor };

export type ActiveSessionsPage = {
  /** This browser's session, on every page, or null if it is no longer live. */
  current: ActiveSessionSummary | null;
  /** A page of the other live sessions, newest sign-in first. */
  others: ActiveSessionSummary[];
  /** How many live sessions the account has, this one included. */
  total: number;
  /** Cursor for the page of newer sign-ins (`?after=`), or null on the first page. */
  newer: string | null;
  /** Cursor for the page of older sign-ins (`?before=`), or null when there are none. */
  older: string | null;
};

const SESSION_FIELDS = { id: true, createdAt: true, lastActiveAt: true, ipAddress: true, userAgent: true } as const;
const signedInBefore = ({ createdAt, id }: SessionsCursor) => ({ OR: [{ createdAt: { lt: createdAt } }, { createdAt, id: { lt: id } }] });
const signedInAfter = ({ createdAt, id }: SessionsCursor) => ({ OR: [{ createdAt: { gt: createdAt } }, { createdAt, id: { gt: id } }] });

/**
 * One page of a user's live sessions for /sessions (ASVS 7.5.2), so the page stays small however many
 * sessions there are (at most MAX_SESSIONS_PER_USER, which an operator may raise to 1,000). Keyset
 * pagination on (createdAt, id), like /activity (lib/audit/activity-log.ts): `lastActiveAt` moves on
 * every renewal, so a cursor on it would move rows between pages while the person reads. The current
 * session is always shown, apart from the pages. Cursors come from the query string; they only narrow
 * a query already restricted to this user.
 */
export async function listActiveSessionsPage(
  userId: string,
  currentSessionId: string,
  position: SessionsPosition,
  now = new Date(),
  pageSize = SESSIONS_PAGE_SIZE,
): Promise<ActiveSessionsPage> {
  const live = { userId, ...liveAt(now) };
  const others = { ...live, NOT: { id: currentSessionId } };
  const [current, total, page] = await Promise.all([
    db().session.findFirst({ where: { ...live, id: currentSessionId }, select: SESSION_FIELDS }),
    db().session.count({ where: live }),
    position.from === 'after'
      ? db()
          .session.findMany({
            where: { AND: [others, signedInAfter(position.cursor)] },
            orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
            take: pageSize,
            select: SESSION_FIELDS,
          })
          .then((rows) => rows.reverse())
      : db().session.findMany({
          where: position.from === 'before' ? { AND: [others, signedInBefore(position.cursor)] } : others,
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          take: pageSize,
          select: SESSION_FIELDS,
        }),
  ]);
  if (page.length === 0) return { current, others: page, total, newer: null, older: null };
  const [first, last] = [page[0], page[page.length - 1]];
  const [newer, older] = await Promise.all([
    db().session.findFirst({ where: { AND: [others, signedInAfter(first)] }, select: { id: true } }),
    db().session.findFirst({ where: { AND: [others, signedInBefore(last)] }, select: { id: true } }),
  ]);
  const cursor = (row: SessionsCursor) => `${row.createdAt.getTime()}.${row.id}`;
  return { current, others: page, total, newer: newer ? cursor(first) : null, older: older ? cursor(last) : null };
}

/**
 * Ends one session at once (ASVS 7.4.1). False when it was already ended, which makes logout idempotent.
 * In revocation-list mode this process's next read refuses it at once (`endSessionsTransaction`).
 */
export async function revokeSession(sessionId: string, reason: RevocationReason, now = new Date()): Promise<boolean> {
  return (await endSessionsTransaction((_tx, end) => end({ id: sessionId }, reason, now))) > 0;
}

/** Ends every session of a user but one (ASVS 7.4.3). Returns how many ended. */
export async function revokeOtherSessions(
  userId: string,
  keepSessionId: string,
  reason: RevocationReason,
  now = new Date(),
): Promise<number> {
  return endSessionsTransaction((_tx, end) => end({ userId, id: { not: keepSessionId } }, reason, now));
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
 * absolute-expired at `now`, or not this user's). `tx` must be one opened by `endSessionsTransaction`
 * (anything else throws), so the ended session is refused at once in revocation-list mode. It writes
 * first, so it takes the write lock at once (see lib/db/sqlite-adapter.ts).
 */
export async function replaceSession(
  tx: Writer,
  current: { sessionId: string; userId: string },
  reason: Extract<RevocationReason, 'password_changed' | 'reauthenticated'>,
  meta: RequestMeta,
  now: Date,
): Promise<{ session: SessionRecord; refreshToken: IssuedRefreshToken } | null> {
  const end = endingTransactions.get(tx);
  if (!end) throw new Error('replaceSession ends a session: run it inside endSessionsTransaction');
  const live = { id: current.sessionId, userId: current.userId, ...liveAt(now) };
  if ((await end(live, reason, now)) === 0) return null;
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
