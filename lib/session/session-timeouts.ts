/**
 * A session past its idle or absolute deadline (ASVS 7.3.1, 7.3.2) is over whether or not anything
 * notices. When something does notice (a refused renewal, a refused sensitive action, housekeeping
 * before it deletes the row), the ending is written like every other ending: on the row (reason
 * `idle_timeout` / `absolute_timeout`) with a `session_expired` event for the owner's /activity, in one
 * transaction through `endSessionsTransaction`.
 *
 * The revocation is one conditional update (`revokedAt IS NULL` and the deadline passed), so several
 * instances finding the same timeout write it once: the one whose update matched writes the event.
 */
import 'server-only';
import { recordSecurityEvent } from '../audit/security-events';
import type { Prisma } from '../generated/prisma/client';
import type { RequestMeta } from '../request/request-meta';
import { idleCutoff } from './session-policy';
import { endSessionsTransaction, type EndSessions } from './session-store';

export type TimedOutState = 'idle_expired' | 'absolute_expired';

/** The row condition of each timeout at `now`; absolute wins when both hold, as in `sessionState`. */
function timedOut(state: TimedOutState, now: Date): Prisma.SessionWhereInput {
  return state === 'absolute_expired'
    ? { expiresAt: { lte: now } }
    : { expiresAt: { gt: now }, lastActiveAt: { lte: idleCutoff(now) } };
}

const DETAIL: Record<TimedOutState, string> = {
  idle_expired: 'Signed out because the session was not used for too long.',
  absolute_expired: 'Signed out because the session reached its maximum length.',
};

async function endOne(
  tx: Prisma.TransactionClient,
  end: EndSessions,
  session: { id: string; userId: string },
  state: TimedOutState,
  meta: RequestMeta | undefined,
  now: Date,
): Promise<boolean> {
  const reason = state === 'absolute_expired' ? 'absolute_timeout' : 'idle_timeout';
  if ((await end({ id: session.id, ...timedOut(state, now) }, reason, now)) === 0) return false;
  await recordSecurityEvent(
    { type: 'session_expired', userId: session.userId, sessionId: session.id, meta, now, detail: DETAIL[state] },
    tx,
  );
  return true;
}

/**
 * Writes the timeout of one session found past its deadline. False when it was already ended (by
 * another instance, or for another reason) or is not past that deadline at `now`.
 */
export function endTimedOutSession(
  session: { id: string; userId: string },
  state: TimedOutState,
  meta: RequestMeta | undefined,
  now: Date,
): Promise<boolean> {
  return endSessionsTransaction((tx, end) => endOne(tx, end, session, state, meta, now));
}

/** Sessions housekeeping ends per transaction: bounded work and lock time per step. */
const TIMEOUT_BATCH = 200;

/**
 * Housekeeping: writes the timeout of every session past a deadline at `now` that nothing has
 * ended yet, before the prune deletes ended rows. Returns how many it ended.
 */
export async function endTimedOutSessions(
  db: Pick<Prisma.TransactionClient, 'session'>,
  now: Date,
): Promise<number> {
  let total = 0;
  for (const state of ['absolute_expired', 'idle_expired'] as const) {
    for (;;) {
      const found = await db.session.findMany({
        where: { revokedAt: null, ...timedOut(state, now) },
        select: { id: true, userId: true },
        orderBy: { id: 'asc' },
        take: TIMEOUT_BATCH,
      });
      if (found.length === 0) break;
      let ended = 0;
      await endSessionsTransaction(async (tx, end) => {
        for (const session of found) if (await endOne(tx, end, session, state, undefined, now)) ended += 1;
      });
      total += ended;
      // Every row found was ended here or by another instance meanwhile; a short batch was the last.
      if (found.length < TIMEOUT_BATCH) break;
    }
  }
  return total;
}
