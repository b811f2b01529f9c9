/**
 * Puts another request's write at an exact point of this one: `interloper` runs once, when `work` opens
 * its next transaction (`$transaction`) on `client`, so after everything `work` read and before it
 * writes, as a busy server may interleave them. On the real database; the interloper's own transactions
 * run normally.
 */
import assert from 'node:assert/strict';
import { db, type PrismaClient } from '../../lib/db/client';

export async function betweenReadAndWrite<T>(interloper: () => Promise<unknown>, work: () => Promise<T>, client: PrismaClient = db()): Promise<T> {
  const transaction = client.$transaction;
  let ran = false;
  Object.assign(client, {
    $transaction: async (...args: Parameters<typeof transaction>) => {
      if (!ran) {
        ran = true;
        Object.assign(client, { $transaction: transaction });
        await interloper();
      }
      return (transaction as (...a: unknown[]) => Promise<unknown>).apply(client, args);
    },
  });
  try {
    const result = await work();
    assert.ok(ran, 'the interloper ran between the read and the write');
    return result;
  } finally {
    Object.assign(client, { $transaction: transaction });
  }
}
