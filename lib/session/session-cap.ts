/**
 * The per-account session cap (ASVS 7.1.2): at most MAX_SESSIONS_PER_USER live sessions; a sign-in
 * over it ends the ones unused the longest, through the sign-in's own `endSessionsTransaction`.
 */
import 'server-only';
import type { Prisma } from '../generated/prisma/client';
import { getConfig } from '../config/config';
import { liveAt, type EndSessions } from './session-store';

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
export async function makeRoomForSession(tx: Prisma.TransactionClient, end: EndSessions, userId: string, now: Date): Promise<string[]> {
  await tx.$executeRaw`UPDATE "User" SET "email" = "email" WHERE "id" = ${userId}`;
  const max = getConfig().MAX_SESSIONS_PER_USER;
  const beyond = await tx.session.findMany({
    // A live /lab demonstration (at most one per account, for at most two minutes) neither counts nor
    // is ended here: a sign-in during the experiment must never push out one of the person's own sessions.
    where: { userId, ...liveAt(now), labRefreshCopy: { is: null } },
    orderBy: [{ lastActiveAt: 'desc' }, { id: 'desc' }],
    skip: max - 1,
    select: { id: true },
  });
  if (beyond.length === 0) return [];
  const ids = beyond.map((row) => row.id);
  await end({ userId, id: { in: ids } }, 'session_limit', now);
  return ids;
}
