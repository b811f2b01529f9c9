/**
 * Reading the security activity log for /activity: one user's events, newest first, a page at a time,
 * by keyset (cursor) pagination on (createdAt, id), so events arriving while a person reads neither
 * repeat nor hide an entry. A cursor (`<milliseconds>.<event id>`) comes from the query string: parsed
 * strictly, and it only narrows a query already limited to the signed-in user.
 * Why: docs/decisions/0060-activity-log-keyset-pagination.md.
 */
import 'server-only';
import { db } from '../db/client';

export const ACTIVITY_PAGE_SIZE = 20;

export type ActivityCursor = { createdAt: Date; id: string };

export type ActivityEvent = {
  id: string;
  type: string;
  createdAt: Date;
  ipAddress: string | null;
  userAgent: string | null;
  detail: string | null;
};

/** Where a page starts: the newest events, events older than a cursor, or events newer than one. */
export type ActivityPosition = { from: 'newest' } | { from: 'before' | 'after'; cursor: ActivityCursor };

export type ActivityPage = {
  events: ActivityEvent[];
  /** Cursor for the page of newer events (`?after=`), or null when these are the newest. */
  newer: string | null;
  /** Cursor for the page of older events (`?before=`), or null when there are none. */
  older: string | null;
};

const CURSOR = /^(\d{1,15})\.([A-Za-z0-9_-]{1,64})$/;

export function encodeCursor(event: { createdAt: Date; id: string }): string {
  return `${event.createdAt.getTime()}.${event.id}`;
}

export function decodeCursor(raw: string): ActivityCursor | null {
  const match = CURSOR.exec(raw);
  if (!match) return null;
  const createdAt = new Date(Number(match[1]));
  return Number.isNaN(createdAt.getTime()) ? null : { createdAt, id: match[2] };
}

/**
 * Reads `?before=` / `?after=` from the query: the position, or `invalid` for a malformed cursor,
 * a repeated parameter, or both at once.
 */
export function activityPosition(query: { before?: string | string[]; after?: string | string[] }): ActivityPosition | 'invalid' {
  const { before, after } = query;
  if (before === undefined && after === undefined) return { from: 'newest' };
  if (before !== undefined && after !== undefined) return 'invalid';
  const raw = before ?? after;
  if (typeof raw !== 'string') return 'invalid';
  const cursor = decodeCursor(raw);
  if (!cursor) return 'invalid';
  return { from: before !== undefined ? 'before' : 'after', cursor };
}

const olderThan = ({ createdAt, id }: ActivityCursor) => ({
  OR: [{ createdAt: { lt: createdAt } }, { createdAt, id: { lt: id } }],
});
const newerThan = ({ createdAt, id }: ActivityCursor) => ({
  OR: [{ createdAt: { gt: createdAt } }, { createdAt, id: { gt: id } }],
});

const NEWEST_FIRST = [{ createdAt: 'desc' as const }, { id: 'desc' as const }];
const OLDEST_FIRST = [{ createdAt: 'asc' as const }, { id: 'asc' as const }];

const FIELDS = { id: true, type: true, createdAt: true, ipAddress: true, userAgent: true, detail: true } as const;

export async function listSecurityEvents(
  userId: string,
  position: ActivityPosition,
  pageSize = ACTIVITY_PAGE_SIZE,
): Promise<ActivityPage> {
  const events =
    position.from === 'after'
      ? (
          await db().securityEvent.findMany({
            where: { userId, ...newerThan(position.cursor) },
            orderBy: OLDEST_FIRST,
            take: pageSize,
            select: FIELDS,
          })
        ).reverse()
      : await db().securityEvent.findMany({
          where: { userId, ...(position.from === 'before' ? olderThan(position.cursor) : {}) },
          orderBy: NEWEST_FIRST,
          take: pageSize,
          select: FIELDS,
        });
  if (events.length === 0) return { events, newer: null, older: null };
  const [first, last] = [events[0], events[events.length - 1]];
  const [newer, older] = await Promise.all([
    db().securityEvent.findFirst({ where: { userId, ...newerThan(first) }, select: { id: true } }),
    db().securityEvent.findFirst({ where: { userId, ...olderThan(last) }, select: { id: true } }),
  ]);
  return { events, newer: newer ? encodeCursor(first) : null, older: older ? encodeCursor(last) : null };
}
