/**
 * Payments between users. Payments to unknown recipients are limited per sender (lib/limits/rate-limit.ts),
 * since the refusal says whether an account exists. Debit, credit and the payment row are one database transaction, and the debit
 * is a conditional update (`balance >= amount`), so concurrent payments can never overdraw, on one
 * server or several. Each rendered form carries an idempotency key, unique per sender: a double submit
 * finds the first payment instead of paying twice.
 */
import 'server-only';
import { z } from 'zod';
import { recordSecurityEvent } from '../audit/security-events';
import { db } from '../db/client';
import { Prisma } from '../generated/prisma/client';
import type { RequestMeta } from '../request/request-meta';
import { amountField, formatCents } from './money';
import { recordUnknownRecipient, unknownRecipientLimitReached } from '../limits/rate-limit';
import { emailField } from '../forms/validation';

export const paymentSchema = z.object({
  recipient: emailField,
  amount: amountField,
  idempotencyKey: z.uuid({ error: 'This form has expired. Reload the page and try again.' }),
});

export type PaymentInput = z.infer<typeof paymentSchema>;

export type PaymentRecord = { id: string; amountCents: number; recipientEmail: string; createdAt: Date };

export type PaymentResult =
  | { ok: true; payment: PaymentRecord; duplicate: boolean }
  | { ok: false; reason: 'self_payment' | 'unknown_recipient' | 'insufficient_funds' | 'key_reused' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

/** Who is paying, for the security log: the payment's event is written in the payment's transaction. */
export type PaymentAudit = { sessionId: string; meta: RequestMeta };

export async function sendPayment(
  senderId: string,
  input: PaymentInput,
  now = new Date(),
  audit?: PaymentAudit,
): Promise<PaymentResult> {
  // "No account with that email" is an answer about who has an account: misses are limited per sender.
  const retryAfterSeconds = await unknownRecipientLimitReached(senderId, now);
  if (retryAfterSeconds !== null) return { ok: false, reason: 'throttled', retryAfterSeconds };
  const recipient = await db().user.findUnique({ where: { email: input.recipient }, select: { id: true, email: true } });
  if (!recipient) {
    await recordUnknownRecipient(senderId, now);
    return { ok: false, reason: 'unknown_recipient' };
  }
  if (recipient.id === senderId) return { ok: false, reason: 'self_payment' };

  try {
    const payment = await db().$transaction(async (tx) => {
      // Writes first, reads never: the insert claims the idempotency key (unique per sender) and takes
      // the database's write lock at the first statement, so concurrent payments queue behind each other
      // instead of deadlocking (SQLite) or racing (any database).
      const created = await tx.payment.create({
        data: {
          senderId,
          recipientId: recipient.id,
          amountCents: input.amount,
          idempotencyKey: input.idempotencyKey,
          createdAt: now,
        },
      });
      const debit = async () => {
        const debited = await tx.user.updateMany({
          where: { id: senderId, balanceCents: { gte: input.amount } },
          data: { balanceCents: { decrement: input.amount } },
        });
        if (debited.count === 0) throw new InsufficientFunds();
      };
      const credit = () => tx.user.update({ where: { id: recipient.id }, data: { balanceCents: { increment: input.amount } } });
      // Both balance rows are written (and so locked) in one order, by id, whichever way the money
      // flows. In payment order, A->B and B->A at the same moment would each lock one row and wait for
      // the other: PostgreSQL breaks such a deadlock by failing one of the payments.
      if (senderId < recipient.id) {
        await debit();
        await credit();
      } else {
        await credit();
        await debit();
      }
      // In the same transaction: a payment never commits without its security event (nothing lost),
      // and a failed event insert rolls the payment back instead of reporting a failure after paying.
      await recordSecurityEvent(
        {
          type: 'payment_sent',
          userId: senderId,
          sessionId: audit?.sessionId,
          meta: audit?.meta,
          now,
          detail: `${formatCents(input.amount)} to ${recipient.email}`,
        },
        tx,
      );
      return created;
    });
    return {
      ok: true,
      duplicate: false,
      payment: { id: payment.id, amountCents: payment.amountCents, recipientEmail: recipient.email, createdAt: payment.createdAt },
    };
  } catch (error) {
    if (error instanceof InsufficientFunds) return { ok: false, reason: 'insufficient_funds' };
    // The key was used already (a double submit, perhaps on another server): the first payment stands,
    // this transaction rolled back whole, and the caller hears about the first one.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      const existing = await findByIdempotencyKey(db(), senderId, input.idempotencyKey);
      if (existing) {
        // Same key, different payment: not a double submit. Refuse rather than report the first one
        // as if it were this one.
        const same = existing.recipientEmail === recipient.email && existing.amountCents === input.amount;
        return same ? { ok: true, payment: existing, duplicate: true } : { ok: false, reason: 'key_reused' };
      }
    }
    throw error;
  }
}

/** Thrown inside the transaction to roll back the payment row when the conditional debit matched nothing. */
class InsufficientFunds extends Error {}

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
