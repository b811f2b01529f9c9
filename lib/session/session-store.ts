/**
 * Session rows: create, end, replace. A session is the unit of revocation; its refresh tokens hang
 * off it, and every sensitive action re-reads it (lib/dal.ts, `verifyLiveSession`). Every ending goes
 * through `endSessionsTransaction` here. Reads for /sessions: ./session-list.ts; the cap:
 * ./session-cap.ts; the types: ./session-types.ts.
 */
import 'server-only';
import { db } from '../db/client';
import type { Prisma } from '../generated/prisma/client';
import type { RequestMeta } from '../request/request-meta';
import { absoluteDeadline, idleCutoff } from './session-policy';
import { generateRefreshToken, hashRefreshToken } from '../tokens/refresh-token';
import { noteLocalRevocation } from './revocation-list';
import { carriedBinding, type BindingColumns, type DbscBindingColumns } from './binding-columns';
import { moveDbscChallenges, releaseDbscSessionId } from './dbsc-carry-over';
import type { IssuedRefreshToken, RevocationReason, SessionRecord } from './session-types';

/** A client or the `tx` of an interactive transaction: these helpers compose into a caller's transaction. */
type Writer = Prisma.TransactionClient;

/**
 * A new session per sign-in (ASVS 7.2.4): never reuse an identifier from before authentication.
 * `binding`: the key the sign-in page proved it holds (./binding-store.ts), or none.
 */
export async function createSession(
  userId: string,
  meta: RequestMeta,
  now = new Date(),
  tx: Pick<Writer, 'session'> = db(),
  binding?: BindingColumns,
): Promise<{ session: SessionRecord; refreshToken: IssuedRefreshToken }> {
  const { session, refreshToken } = await insertSession(tx, { userId, createdAt: now, expiresAt: absoluteDeadline(now), ...binding }, meta, now);
  return { session, refreshToken: refreshToken! };
}

/** A session row authenticated `now`, with its first refresh token (from the CSPRNG; stored as a hash). */
async function insertSession(
  tx: Pick<Writer, 'session'>,
  row: { userId: string; createdAt: Date; expiresAt: Date } & Partial<BindingColumns | DbscBindingColumns>,
  meta: RequestMeta,
  now: Date,
  withRefreshToken = true,
): Promise<{ session: SessionRecord; refreshToken?: IssuedRefreshToken }> {
  const refreshToken = withRefreshToken ? generateRefreshToken() : undefined;
  const session = await tx.session.create({
    data: {
      ...row,
      lastActiveAt: now,
      authenticatedAt: now,
      userAgent: meta.userAgent,
      ipAddress: meta.ipAddress,
      ...(refreshToken && { refreshTokens: { create: { tokenHash: hashRefreshToken(refreshToken), createdAt: now } } }),
    },
  });
  return { session, ...(refreshToken && { refreshToken: { token: refreshToken, expiresAt: session.expiresAt } }) };
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
 * `revokedAt` on a session (tests/integration/revocation-list-every-ending.test.ts reads the source to keep it so).
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

/** A session that lives on without refresh tokens (bound by DBSC): its unused ones are withdrawn. */
export async function withdrawRefreshTokens(tx: Pick<Writer, 'refreshToken'>, sessionId: string, now: Date): Promise<void> {
  await tx.refreshToken.updateMany({ where: { sessionId, rotatedAt: null, revokedAt: null }, data: { revokedAt: now } });
}

/**
 * Sessions still usable at `now`: not revoked, not absolute- or idle-expired. The query form of
 * `sessionState(row, now) === 'active'` (lib/session/session-policy.ts).
 */
export function liveAt(now: Date) {
  return { revokedAt: null, expiresAt: { gt: now }, lastActiveAt: { gt: idleCutoff(now) } } satisfies Prisma.SessionWhereInput;
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
): Promise<{ session: SessionRecord; refreshToken?: IssuedRefreshToken } | null> {
  const end = endingTransactions.get(tx);
  if (!end) throw new Error('replaceSession ends a session: run it inside endSessionsTransaction');
  const live = { id: current.sessionId, userId: current.userId, ...liveAt(now) };
  if ((await end(live, reason, now)) === 0) return null;
  const old = await tx.session.findUniqueOrThrow({
    where: { id: current.sessionId },
    select: { createdAt: true, expiresAt: true, bindingKind: true, bindingPublicKey: true, bindingThumbprint: true, boundAt: true, dbscSessionId: true, pageKeyThumbprint: true },
  });
  const binding = carriedBinding(old, now);
  // A DBSC session's identifier moves to the new row (unique), which has no refresh token: ./dbsc-carry-over.ts.
  if (binding?.bindingKind === 'dbsc') await releaseDbscSessionId(tx, current.sessionId);
  const row = { userId: current.userId, createdAt: old.createdAt, expiresAt: old.expiresAt, ...binding };
  const created = await insertSession(tx, row, meta, now, binding?.bindingKind !== 'dbsc');
  if (binding?.bindingKind === 'dbsc') await moveDbscChallenges(tx, current.sessionId, created.session.id);
  return created;
}
