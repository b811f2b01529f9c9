/**
 * A server process that dies in the middle of a payment: started by
 * tests/integration/fail-closed.test.ts as
 *
 *   node --conditions=react-server --import tsx tests/helpers/crash-worker.ts
 *
 * with DATABASE_URL, ACCESS_TOKEN_KEYS and CRASH_SENDER_ID, CRASH_RECIPIENT, CRASH_AMOUNT_CENTS,
 * CRASH_KEY. It runs the real sendPayment (lib/payments/send-payment.ts) on a Prisma client that kills
 * this process with SIGKILL right after the debit and the credit have run, inside the payment's transaction:
 * the payment row is inserted, the sender debited, the recipient credited, nothing committed. No
 * `finally`, no rollback by the app, no exit handler: exactly a power cut or an OOM kill.
 *
 * Prints `{"crashing":true}` on stdout just before it dies, so the test knows the transaction got that far.
 */
import { createPrismaClient } from '../../lib/db/client';
import { getConfig } from '../../lib/config/config';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`crash-worker: ${name} is required`);
  return value;
}

const recipientEmail = required('CRASH_RECIPIENT');
let balanceWrites = 0;
/** After the second balance write (the debit and the credit, in whichever order the payment runs them). */
async function crashAfterBothBalanceWrites<T>(result: T): Promise<T> {
  balanceWrites += 1;
  if (balanceWrites < 2) return result;
  process.stdout.write('{"crashing":true}\n', () => process.kill(process.pid, 'SIGKILL'));
  await new Promise(() => undefined);
  return result;
}
const crashing = createPrismaClient(getConfig().DATABASE_URL).$extends({
  query: {
    user: {
      // A payment's only user writes, inside its open transaction: the debit and the credit.
      update: async ({ args, query }) => crashAfterBothBalanceWrites(await query(args)),
      updateMany: async ({ args, query }) => crashAfterBothBalanceWrites(await query(args)),
    },
  },
});
// lib/db/client.ts keeps its one client on globalThis: this process's "database" is the crashing one.
(globalThis as unknown as { prisma: unknown }).prisma = crashing;

const { sendPayment } = await import('../../lib/payments/send-payment');
await sendPayment(required('CRASH_SENDER_ID'), {
  recipient: recipientEmail,
  amount: Number(required('CRASH_AMOUNT_CENTS')),
  idempotencyKey: required('CRASH_KEY'),
});
process.stdout.write('{"completed":true}\n');
