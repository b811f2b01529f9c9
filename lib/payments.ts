/**
 * Payments between users. Debit, credit and the payment row are one database transaction, and the debit
 * is a conditional update (`balance >= amount`), so concurrent payments can never overdraw, on one
 * server or several. Each rendered form carries an idempotency key, unique per sender: a double submit
 * finds the first payment instead of paying twice.
 */
import 'server-only';
import { z } from 'zod';
import { db } from './db';
import { Prisma } from './generated/prisma/client';
import { amountField } from './money';
import { emailField } from './validation';

export const paymentSchema = z.object({
  recipient: emailField,
  amount: amountField,
  idempotencyKey: z.uuid({ error: 'This form has expired. Reload the page and try again.' }),
});

export type PaymentInput = z.infer<typeof paymentSchema>;

export type PaymentRecord = { id: string; amountCents: number; recipientEmail: string; createdAt: Date };

export type PaymentResult =
  | { ok: true; payment: PaymentRecord; duplicate: boolean }
  | { ok: false; reason: 'self_payment' | 'unknown_recipient' | 'insufficient_funds' };

export async function sendPayment(senderId: string, input: PaymentInput, now = new Date()): Promise<PaymentResult> {
  try {
    return await db().$transaction(async (tx) => {
      const existing = await findByIdempotencyKey(tx, senderId, input.idempotencyKey);
      if (existing) return { ok: true, payment: existing, duplicate: true };

      const recipient = await tx.user.findUnique({ where: { email: input.recipient }, select: { id: true, email: true } });
      if (recipient?.id === senderId) return { ok: false, reason: 'self_payment' };
      if (!recipient) return { ok: false, reason: 'unknown_recipient' };

      const debit = await tx.user.updateMany({
        where: { id: senderId, balanceCents: { gte: input.amount } },
        data: { balanceCents: { decrement: input.amount } },
      });
      if (debit.count === 0) return { ok: false, reason: 'insufficient_funds' };
      await tx.user.update({ where: { id: recipient.id }, data: { balanceCents: { increment: input.amount } } });
      const payment = await tx.payment.create({
        data: {
          senderId,
          recipientId: recipient.id,
          amountCents: input.amount,
          idempotencyKey: input.idempotencyKey,
          createdAt: now,
        },
      });
      return {
        ok: true,
        duplicate: false,
        payment: { id: payment.id, amountCents: payment.amountCents, recipientEmail: recipient.email, createdAt: payment.createdAt },
      };
    });
  } catch (error) {
    // Two submits with one key raced past the lookup; the loser's transaction rolled back whole.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      const existing = await findByIdempotencyKey(db(), senderId, input.idempotencyKey);
      if (existing) return { ok: true, payment: existing, duplicate: true };
    }
    throw error;
  }
}

type Reader = Pick<Prisma.TransactionClient, 'payment'>;

async function findByIdempotencyKey(client: Reader, senderId: string, idempotencyKey: string) {
  const found = await client.payment.findUnique({
    where: { senderId_idempotencyKey: { senderId, idempotencyKey } },
    include: { recipient: { select: { email: true } } },
  });
  return found
    ? { id: found.id, amountCents: found.amountCents, recipientEmail: found.recipient.email, createdAt: found.createdAt }
    : null;
}

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
