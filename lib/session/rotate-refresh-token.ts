/**
 * Refresh-token rotation with reuse detection (RFC 9700 4.14.2, ASVS 7.2.4): each refresh token is
 * single-use; exchanging it yields a successor; presenting a used one again means two parties hold
 * copies, so the whole session is revoked.
 *
 * Concurrency, and the one deliberate deviation from RFC 9700. Browsers refresh in parallel (tabs,
 * prefetches, several fetches after one 401), all presenting the same token. If only the first were
 * honoured, the others would trip reuse detection and sign the person out: the bug reported against
 * next-auth (#2071, #7558) and supabase (auth-js #213). So:
 * - Consuming a token is one atomic conditional update (`rotatedAt IS NULL` -> now), sent in one
 *   batch transaction with the session's touch and the successor's insert. Exactly one caller wins,
 *   even across several server processes on one database; the database, not process memory, decides.
 * - Successors are derived from their predecessor under a server key (lib/tokens/refresh-token.ts), so a
 *   loser that presents the token within REFRESH_REUSE_GRACE_SECONDS of its rotation is given the
 *   winner's result: the same successor (if it is still live) and a fresh access token. Whichever
 *   response the browser keeps, it holds the one valid successor; a winner's response lost on the way
 *   (a cancelled navigation, a dropped connection) is healed by the next request inside the window.
 * - After the grace window, a used token is reuse: the session and all its tokens are revoked.
 * The deviation: RFC 9700 has no grace window. Within those seconds, whoever replays a just-rotated
 * token gets the same successor as the real browser. Both then hold one token, which is single-use: the
 * first of them to rotate it makes the other's next refresh (after the window) a reuse, which revokes
 * the session. A theft inside the window is therefore still detected, one rotation later. *
 * Rotations per session are bounded (cheap database growth): a client refreshing in a loop added about
 * 2,600 token rows in 10 s, and used rows must be kept for the session's whole life, or a replayed old
 * token would no longer be recognised as reuse. So a session gets at most
 * MAX_ROTATIONS_PER_ACCESS_TOKEN_LIFETIME rotations per ACCESS_TOKEN_TTL_SECONDS; past that, a
 * refresh with the live token gets the current pair (the same refresh token and a fresh access token)
 * and writes nothing. A real browser needs one rotation per access-token lifetime (concurrent ones are
 * siblings and write nothing), so it never notices; reuse detection is untouched, because no used
 * token is ever deleted or reset. Not rotating is the same trade as the grace window: whoever copied
 * the live token in those seconds keeps a working copy until one of the two rotates, and the other's
 * next refresh is then a reuse.
 *
 * Cookie tossing: when the request also carries a valid access token, the refresh
 * token must belong to the same session. A planted refresh cookie names the attacker's session; the
 * `__Host-` access cookie cannot be planted, so a mismatch is refused before anything is consumed.
 */
import 'server-only';
import { getConfig } from '../config/config';
import { db } from '../db/client';
import { Prisma } from '../generated/prisma/client';
import { recordSecurityEvent } from '../audit/security-events';
import type { RequestMeta } from '../request/request-meta';
import type { SessionUser } from '../auth/user';
import { endSessionsTransaction, endedByReplacement, type IssuedRefreshToken } from './session-store';
import { sessionState, type SessionState } from './session-policy';
import { endTimedOutSession } from './session-timeouts';
import { sessionTimeline, type SessionRotations, type SessionRowTimes, type SessionTimeline } from './session-timeline';
import { deriveSuccessorToken, hashRefreshToken, isWellFormedRefreshToken } from '../tokens/refresh-token';

/**
 * Every granted outcome carries the session's timeline as of the rotation (its deadlines and
 * rotations: what the refresh answer shows, lib/session/session-timeline.ts), built from the rows the
 * rotation read and wrote, not read again.
 */
export type RotationOutcome =
  /** The caller won: a successor refresh token and a new access token for the session. */
  | { status: 'rotated'; sessionId: string; user: SessionUser; refreshToken: IssuedRefreshToken; timeline: SessionTimeline }
  /**
   * A concurrent sibling within the grace window: the winner's successor (absent only if it could not
   * be derived, e.g. keys rotated mid-flight, or is no longer live) and a new access token.
   */
  | { status: 'sibling'; sessionId: string; user: SessionUser; refreshToken?: IssuedRefreshToken; timeline: SessionTimeline }
  /** The budget is spent, or the token is younger than the grace window: the presented (live) token back, and a new access token. */
  | { status: 'current'; sessionId: string; user: SessionUser; refreshToken: IssuedRefreshToken; timeline: SessionTimeline }
  | { status: 'rejected'; reason: RejectionReason; revokedReason?: string | null };

export type RejectionReason =
  | 'unknown'
  | 'withdrawn'
  | 'reused'
  /** A valid access token in the same request names another session: a planted refresh cookie. */
  | 'session_mismatch'
  | Exclude<SessionState, 'active'>;

export type RotationContext = {
  /** The session named by the request's verified access token, when it carries one. */
  accessTokenSessionId?: string;
};

/** Rotations a session may make per access-token lifetime before refreshes get the current pair. */
export const MAX_ROTATIONS_PER_ACCESS_TOKEN_LIFETIME = 5;

export async function rotateRefreshToken(
  presented: string,
  meta: RequestMeta,
  now = new Date(),
  context: RotationContext = {},
): Promise<RotationOutcome> {
  if (!isWellFormedRefreshToken(presented)) return { status: 'rejected', reason: 'unknown' };
  const tokenHash = hashRefreshToken(presented);
  const found = await findToken(tokenHash, now);
  if (!found) return { status: 'rejected', reason: 'unknown' };

  const { session } = found;
  // Before anything is consumed or revoked: a planted token must not touch its own session either.
  if (context.accessTokenSessionId !== undefined && context.accessTokenSessionId !== session.id) {
    return { status: 'rejected', reason: 'session_mismatch' };
  }
  const state = sessionState(session, now);
  // A session replaced because its owner typed the password (lib/session/session-store.ts
  // `replaceSession`), ended by the owner's own hand: a refresh already
  // on its way with the old token is refused like a withdrawn token, which leaves the browser's cookies
  // alone, because the response that replaced the session may already have set newer ones.
  if (state === 'revoked' && endedByReplacement(session.revokedReason)) {
    return { status: 'rejected', reason: 'withdrawn' };
  }
  // Why a revoked session ended, for the sign-in page's one sentence (lib/session/signed-out-reason.ts).
  if (state === 'revoked') return { status: 'rejected', reason: state, revokedReason: session.revokedReason };
  if (state !== 'active') {
    // Found past its deadline: the ending is written now, with its event (./session-timeouts.ts).
    await endTimedOutSession({ id: session.id, userId: session.user.id }, state, meta, now);
    return { status: 'rejected', reason: state };
  }
  if (found.revokedAt) return { status: 'rejected', reason: 'withdrawn' };
  const user = session.user;

  // Two cases answer with the presented (live) token and a new access token, writing nothing:
  // - the session's rotation budget is spent (see MAX_ROTATIONS_PER_ACCESS_TOKEN_LIFETIME);
  // - the token is a successor younger than the grace window (`isYoungSuccessor`): a sibling request may
  //   still be delivering it to this browser. Rotating it again would make that sibling's answer, landing
  //   later, put an already rotated token back in the cookie jar, and the browser's next renewal after
  //   the window would be taken for reuse: a false sign-out (e2e/no-false-sign-out.short.spec.ts ›
  //   `a sibling renewal answer that lands after a newer rotation leaves the browser signed in`). The
  //   cost is the grace window's own trade: a token rotates at most once per REFRESH_REUSE_GRACE_SECONDS.
  if (
    found.rotatedAt === null &&
    (found.recentRotations >= MAX_ROTATIONS_PER_ACCESS_TOKEN_LIFETIME ||
      isYoungSuccessor(found, now))
  ) {
    // Nothing is written: the session is as the lookup read it.
    const timeline = sessionTimeline(session, found.rotations, now);
    return { status: 'current', sessionId: session.id, user, refreshToken: { token: presented, expiresAt: session.expiresAt }, timeline };
  }

  if (found.rotatedAt === null) {
    const successor = await tryConsume(found.id, session.id, presented, now);
    if (successor) {
      // What the batch just wrote: the session touched now, and one more token rotated now.
      const timeline = sessionTimeline(
        { ...session, lastActiveAt: now, expiresAt: successor.expiresAt },
        { lastRotatedAt: latest(found.rotations.lastRotatedAt, now), rotations: found.rotations.rotations + 1 },
        now,
      );
      return { status: 'rotated', sessionId: session.id, user, refreshToken: successor, timeline };
    }
  }

  // Someone consumed this token before us: a sibling request, or a replay. Read after the winner's
  // write, the row also carries the winner's touch and rotation, which the sibling's answer shows.
  const consumed = found.rotatedAt ? found : await findToken(tokenHash, now);
  const rotatedAt = consumed?.rotatedAt;
  if (!consumed || !rotatedAt) return { status: 'rejected', reason: 'withdrawn' };
  const graceMs = getConfig().REFRESH_REUSE_GRACE_SECONDS * 1000;
  if (now.getTime() - rotatedAt.getTime() <= graceMs) {
    const timeline = sessionTimeline(consumed.session, consumed.rotations, now);
    const successor = await findLiveSuccessor(presented, session.id, now);
    return successor
      ? { status: 'sibling', sessionId: session.id, user, refreshToken: successor, timeline }
      : { status: 'sibling', sessionId: session.id, user, timeline };
  }

  // The revocation and its event commit together; a concurrent replay that finds the session already
  // revoked writes neither, so one theft is one event.
  await endSessionsTransaction(async (tx, end) => {
    if ((await end({ id: session.id }, 'refresh_token_reuse', now)) === 0) return;
    await recordSecurityEvent(
      {
        type: 'refresh_token_reuse',
        userId: user.id,
        sessionId: session.id,
        meta,
        now,
        detail: 'A refresh token was presented again after it had been exchanged. The session was revoked.',
      },
      tx,
    );
  });
  return { status: 'rejected', reason: 'reused' };
}

/**
 * A token issued by a rotation less than REFRESH_REUSE_GRACE_SECONDS ago. A live token in a session
 * that has rotated before was issued by a rotation; in one that never has, it is the sign-in token,
 * which only the sign-in answer carries (no sibling delivers it), so it rotates at once.
 */
function isYoungSuccessor(found: FoundToken, now: Date): boolean {
  return found.rotations.rotations > 0 && now.getTime() - found.createdAt.getTime() < getConfig().REFRESH_REUSE_GRACE_SECONDS * 1000;
}

const latest = (a: Date | null, b: Date) => (a && a.getTime() > b.getTime() ? a : b);

type FoundToken = {
  id: string;
  createdAt: Date;
  rotatedAt: Date | null;
  revokedAt: Date | null;
  session: SessionRowTimes & { id: string; user: SessionUser };
  /** All of the session's rotations, for its timeline (lib/session/session-timeline.ts). */
  rotations: SessionRotations;
  /**
   * Rotations the session made within the last access-token lifetime. At most
   * MAX_ROTATIONS_PER_ACCESS_TOKEN_LIFETIME are allowed; each adds one row, so that bounds the rows a
   * client can add to that many per ACCESS_TOKEN_TTL_SECONDS (with the defaults, 5 per 5 minutes: at
   * most 1,440 a day, 10,080 over the 7-day absolute lifetime), however fast it loops. Counted before
   * the write: only the one request that wins the conditional update writes, so a race can exceed the
   * budget by at most that one row.
   */
  recentRotations: number;
};

type FoundTokenRow = {
  id: string;
  createdAt: Date;
  rotatedAt: Date | null;
  revokedAt: Date | null;
  sessionId: string;
  expiresAt: Date;
  lastActiveAt: Date;
  sessionRevokedAt: Date | null;
  revokedReason: string | null;
  userId: string;
  email: string;
  rotations: bigint | number;
  /** An aggregate: on SQLite it has no column type, so it comes back as stored, not as a Date (`asDate`). */
  lastRotatedAt: Date | string | number | null;
  recentRotations: bigint | number;
};

/**
 * The token, its session and user, and the session's rotations (all of them, the newest, and those
 * within the last access-token lifetime), in ONE statement. Through Prisma's query API this took
 * four (Prisma gives SQLite no relation joins: one SELECT per table, and one more for the count), and
 * each Prisma statement costs more CPU than the SQLite read under it, which made rotation the slowest
 * request in the benchmark (docs/benchmarks.md); the refresh answer then read the session again for
 * its timeline, which these aggregates now give. The SQL is portable: quoted identifiers, plain joins,
 * standard aggregates grouped by primary keys, and bound parameters (Prisma's tagged template, never
 * string concatenation), so it runs unchanged on PostgreSQL, and Prisma maps the DateTime columns to
 * Dates on both (the aggregate `lastRotatedAt` only on PostgreSQL: see `asDate`).
 * tests/unit/refresh-rotation*.test.ts, refresh-flood.test.ts and route-handlers.test.ts cover every
 * field it reads, also on PostgreSQL (scripts/test-postgres.ts).
 */
async function findToken(tokenHash: string, now: Date): Promise<FoundToken | null> {
  const windowStart = new Date(now.getTime() - getConfig().ACCESS_TOKEN_TTL_SECONDS * 1000);
  // `r` ranges over the session's tokens (`t` among them, so the join always finds a row): one pass
  // over the session's index entries for all three aggregates.
  const rows = await db().$queryRaw<FoundTokenRow[]>`
    SELECT t."id", t."rotatedAt", t."revokedAt", t."createdAt",
           s."id" AS "sessionId", s."expiresAt", s."lastActiveAt", s."revokedAt" AS "sessionRevokedAt", s."revokedReason",
           u."id" AS "userId", u."email",
           COUNT(r."rotatedAt") AS "rotations",
           MAX(r."rotatedAt") AS "lastRotatedAt",
           COUNT(CASE WHEN r."rotatedAt" > ${windowStart} THEN 1 END) AS "recentRotations"
    FROM "RefreshToken" t
    JOIN "Session" s ON s."id" = t."sessionId"
    JOIN "User" u ON u."id" = s."userId"
    JOIN "RefreshToken" r ON r."sessionId" = s."id"
    WHERE t."tokenHash" = ${tokenHash}
    GROUP BY t."id", s."id", u."id"`;
  const row = rows[0];
  if (!row) return null;
  return {
    id: row.id,
    createdAt: row.createdAt,
    rotatedAt: row.rotatedAt,
    revokedAt: row.revokedAt,
    session: {
      id: row.sessionId,
      expiresAt: row.expiresAt,
      lastActiveAt: row.lastActiveAt,
      revokedAt: row.sessionRevokedAt,
      revokedReason: row.revokedReason,
      user: { id: row.userId, email: row.email },
    },
    rotations: { rotations: Number(row.rotations), lastRotatedAt: asDate(row.lastRotatedAt) },
    recentRotations: Number(row.recentRotations),
  };
}

/**
 * A DateTime that went through an aggregate. PostgreSQL keeps the column's type, so Prisma gives a
 * Date; SQLite's result has no declared type, so Prisma gives the stored value (ISO 8601 text, or
 * milliseconds since the epoch if the adapter was set to store those), which `Date` parses either way.
 */
function asDate(value: Date | string | number | null): Date | null {
  if (value === null || value instanceof Date) return value;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new Error(`not a stored date: ${JSON.stringify(value)}`);
  return date;
}

/**
 * The single-flight step. Returns the successor, or null if another request consumed the token first
 * or the session was revoked meanwhile; then nothing was written.
 *
 * Three writes in one batch transaction: consume the token (the atomic conditional update that picks
 * exactly one winner), touch the session (idle timeout) and insert the successor. Each `update` names
 * its condition in `where`, and an `update` that matches no row fails the batch (P2025), which rolls
 * back every statement in it: a loser, or a rotation racing a logout, leaves no trace
 * (tests/integration/refresh-rotation-batch.test.ts). A batch is sent whole: no application code runs while
 * it holds the connection, as it would between the steps of an interactive transaction, and no read
 * follows the writes (the session's `expiresAt` comes back from its update). It opens with a write,
 * so on SQLite it takes the write lock at once (lib/db/sqlite-adapter.ts). On PostgreSQL the same batch
 * is one transaction whose first statement row-locks the token: a concurrent loser waits, then matches
 * no row. Measured: about a third less CPU per rotation than the interactive transaction with its
 * checks and read-back (docs/benchmarks.md).
 */
async function tryConsume(
  tokenId: string,
  sessionId: string,
  presented: string,
  now: Date,
): Promise<IssuedRefreshToken | null> {
  const successor = deriveSuccessorToken(presented);
  try {
    const [, session] = await db().$transaction([
      db().refreshToken.update({
        where: { id: tokenId, rotatedAt: null, revokedAt: null },
        data: { rotatedAt: now },
        select: { id: true },
      }),
      db().session.update({
        where: { id: sessionId, revokedAt: null },
        data: { lastActiveAt: now },
        select: { expiresAt: true },
      }),
      db().refreshToken.create({
        data: { sessionId, tokenHash: hashRefreshToken(successor), createdAt: now },
        select: { id: true },
      }),
    ]);
    return { token: successor, expiresAt: session.expiresAt };
  } catch (error) {
    // P2025: a conditional update matched no row (consumed or withdrawn meanwhile, or the session ended).
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025') return null;
    throw error;
  }
}

/** How far down a chain of successors a late sibling may follow (each step is one rotation in the window). */
const MAX_SUCCESSOR_STEPS = 4;

/**
 * The winner's result for a late sibling: walks predecessor -> successor -> ... while each link was
 * rotated within the grace window, and returns the first live one. Null when the chain is broken
 * (withdrawn, another session, or derived under a different key).
 */
async function findLiveSuccessor(presented: string, sessionId: string, now: Date): Promise<IssuedRefreshToken | null> {
  const graceMs = getConfig().REFRESH_REUSE_GRACE_SECONDS * 1000;
  let token = presented;
  for (let step = 0; step < MAX_SUCCESSOR_STEPS; step++) {
    token = deriveSuccessorToken(token);
    const row = await db().refreshToken.findUnique({
      where: { tokenHash: hashRefreshToken(token) },
      select: { sessionId: true, rotatedAt: true, revokedAt: true, session: { select: { expiresAt: true } } },
    });
    if (!row || row.sessionId !== sessionId || row.revokedAt) return null;
    if (row.rotatedAt === null) return { token, expiresAt: row.session.expiresAt };
    if (now.getTime() - row.rotatedAt.getTime() > graceMs) return null;
  }
  return null;
}
