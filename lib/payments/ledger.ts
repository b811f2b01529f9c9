/** What the payments page shows: the balance and recent payments in both directions. */
import 'server-only';
import { db } from '../db/client';

export type LedgerEntry = {
  id: string;
  direction: 'sent' | 'received';
  counterparty: string;
  amountCents: number;
  createdAt: Date;
};

/** Balance and the most recent payments in both directions, newest first. */
export async function getLedger(userId: string, limit = 50): Promise<{ balanceCents: number; entries: LedgerEntry[] }> {
  const [user, sent, received] = await Promise.all([
    db().user.findUniqueOrThrow({ where: { id: userId }, select: { balanceCents: true } }),
    db().payment.findMany({
      where: { senderId: userId },
      orderBy: { createdAt: 'desc' },
      take: limit,
      include: { recipient: { select: { email: true } } },
    }),
    db().payment.findMany({
      where: { recipientId: userId },
      orderBy: { createdAt: 'desc' },
      take: limit,
      include: { sender: { select: { email: true } } },
    }),
  ]);
  const entries: LedgerEntry[] = [
    ...sent.map((p) => ({ id: p.id, direction: 'sent' as const, counterparty: p.recipient.email, amountCents: p.amountCents, createdAt: p.createdAt })),
    ...received.map((p) => ({ id: p.id, direction: 'received' as const, counterparty: p.sender.email, amountCents: p.amountCents, createdAt: p.createdAt })),
  ];
  entries.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  return { balanceCents: user.balanceCents, entries: entries.slice(0, limit) };
}
