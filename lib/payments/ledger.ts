/** What the payments page shows: the balance and one page of payments in both directions. */
import 'server-only';
import { db } from '../db/client';

export type LedgerEntry = {
  id: string;
  direction: 'sent' | 'received';
  counterparty: string;
  amountCents: number;
  createdAt: Date;
};

export type LedgerPage = {
  balanceCents: number;
  entries: LedgerEntry[];
  /** 1-based; clamped to the pages that exist. */
  page: number;
  pageCount: number;
  total: number;
};

export const LEDGER_PAGE_SIZE = 10;

/**
 * The balance and page `page` (1-based) of the payments the user sent or received, newest first.
 * One query over both directions, ordered by time and then id, so pages never overlap or skip a row
 * when two payments share a timestamp. A page past the end shows the last page.
 */
export async function getLedger(userId: string, requestedPage = 1, pageSize = LEDGER_PAGE_SIZE): Promise<LedgerPage> {
  const involving = { OR: [{ senderId: userId }, { recipientId: userId }] };
  const [user, total] = await Promise.all([
    db().user.findUniqueOrThrow({ where: { id: userId }, select: { balanceCents: true } }),
    db().payment.count({ where: involving }),
  ]);
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(Math.max(1, Math.trunc(requestedPage) || 1), pageCount);
  const rows = await db().payment.findMany({
    where: involving,
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    skip: (page - 1) * pageSize,
    take: pageSize,
    include: { sender: { select: { email: true } }, recipient: { select: { email: true } } },
  });
  const entries = rows.map((p): LedgerEntry => {
    const sent = p.senderId === userId;
    return {
      id: p.id,
      direction: sent ? 'sent' : 'received',
      counterparty: sent ? p.recipient.email : p.sender.email,
      amountCents: p.amountCents,
      createdAt: p.createdAt,
    };
  });
  return { balanceCents: user.balanceCents, entries, page, pageCount, total };
}
