/**
 * A second (third, ...) "server process" for the cross-process races in the integration tests, started
 * by tests/helpers/process-race.ts:
 *
 *   node --conditions=react-server --import tsx tests/helpers/race-worker.ts
 *
 * Reads its configuration from the environment the test passes through (DATABASE_URL,
 * ACCESS_TOKEN_KEYS and the timeouts), plus:
 *   RACE_OPERATION  `rotate` (rotateRefreshToken) or `pay` (sendPayment)
 *   RACE_COUNT      how many concurrent calls to make
 *   ROTATE_TOKEN, ROTATE_AT                  for `rotate`: the token every call presents, the clock (ms)
 *   PAY_SENDER_ID, PAY_RECIPIENT, PAY_AMOUNT_CENTS, PAY_KEY   for `pay`: one payment, one idempotency key
 *
 * Protocol on stdout, one JSON object per line: `{"ready":true}` once the database connection is open
 * and warm; then, after a line arrives on stdin (the shared start signal), `{"outcomes":[...]}`. A call
 * that throws is reported as `{"status":"error"}` with the SQLite code rather than crashing, so the test
 * can show what went wrong.
 */
import { createInterface } from 'node:readline';
import { db } from '../../lib/db/client';
import { sendPayment } from '../../lib/payments/send-payment';
import { rotateRefreshToken } from '../../lib/session/rotate-refresh-token';

type Outcome = Record<string, unknown>;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`race-worker: ${name} is required`);
  return value;
}

function operation(): () => Promise<Outcome> {
  switch (required('RACE_OPERATION')) {
    case 'rotate': {
      const token = required('ROTATE_TOKEN');
      const now = new Date(Number(required('ROTATE_AT')));
      const meta = { ipAddress: '127.0.0.1', userAgent: `race-worker/${process.pid}` };
      return async () => {
        const outcome = await rotateRefreshToken(token, meta, now);
        if (outcome.status === 'rotated') {
          return { status: 'rotated', sessionId: outcome.sessionId, refreshToken: outcome.refreshToken.token };
        }
        if (outcome.status === 'sibling') {
          return { status: 'sibling', sessionId: outcome.sessionId, refreshToken: outcome.refreshToken?.token };
        }
        return outcome;
      };
    }
    case 'pay': {
      const senderId = required('PAY_SENDER_ID');
      const input = {
        recipient: required('PAY_RECIPIENT'),
        amount: Number(required('PAY_AMOUNT_CENTS')),
        idempotencyKey: required('PAY_KEY'),
      };
      return async () => {
        const result = await sendPayment(senderId, input);
        return result.ok ? { status: 'paid', paymentId: result.payment.id, duplicate: result.duplicate } : { status: result.reason };
      };
    }
    default:
      throw new Error(`race-worker: unknown RACE_OPERATION ${process.env.RACE_OPERATION}`);
  }
}

async function guarded(run: () => Promise<Outcome>): Promise<Outcome> {
  try {
    return await run();
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return { status: 'error', message: error instanceof Error ? error.message : String(error), code: cause?.code };
  }
}

const run = operation();
const count = Number(required('RACE_COUNT'));

// Warm up without writing, so every process starts racing at the signal rather than whenever its cold
// start happens to finish.
await db().user.count();
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);

const lines = createInterface({ input: process.stdin });
await new Promise<void>((resolve) => lines.once('line', () => resolve()));
lines.close();

const outcomes = await Promise.all(Array.from({ length: count }, () => guarded(run)));
process.stdout.write(`${JSON.stringify({ outcomes })}\n`);
await db().$disconnect();
