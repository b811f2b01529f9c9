/**
 * The live sessions of an account, as /sessions shows them (ASVS 7.5.2: see and end your sessions),
 * with each one's binding tier (also read for /dashboard): reads only. Ending them goes through lib/session/session-store.ts (`endSessionsTransaction`).
 */
import 'server-only';
import { db } from '../db/client';
import { liveAt } from './session-store';

export type ActiveSessionSummary = {
  id: string;
  createdAt: Date;
  lastActiveAt: Date;
  ipAddress: string | null;
  userAgent: string | null;
  /** The session's binding tier as stored (`dbsc`, `key_proof`, `none`): words in ./binding-tier.ts. */
  bindingKind: string;
};

/** Every live session of a user, most recently active first (ASVS 7.5.2: see and end your sessions). */
export async function listActiveSessions(userId: string, now = new Date()): Promise<ActiveSessionSummary[]> {
  return db().session.findMany({
    where: { userId, ...liveAt(now) },
    orderBy: [{ lastActiveAt: 'desc' }, { id: 'asc' }],
    select: { id: true, createdAt: true, lastActiveAt: true, ipAddress: true, userAgent: true, bindingKind: true },
  });
}

/** The binding tier of one of `userId`'s sessions, for /dashboard; null when there is no such row of theirs. */
export async function readSessionBinding(sessionId: string, userId: string): Promise<string | null> {
  const row = await db().session.findUnique({ where: { id: sessionId }, select: { userId: true, bindingKind: true } });
  return row && row.userId === userId ? row.bindingKind : null;
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

const SESSION_FIELDS = { id: true, createdAt: true, lastActiveAt: true, ipAddress: true, userAgent: true, bindingKind: true } as const;
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
