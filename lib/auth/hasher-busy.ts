/**
 * Route handlers that hash or verify a password (sign-in, sign-up) answer a full hashing queue with
 * 503 and Retry-After (RFC 9110 15.6.4): the server is fine, just at its bounded capacity for Argon2
 * work. It is not a verdict on the credentials, and nothing was counted or stored.
 */
import 'server-only';
import type { NextResponse } from 'next/server';
import { PasswordHasherBusy, passwordHashingQueue } from './password-hashing';
import { jsonError } from '../route/responses';

export const SERVER_BUSY = 'The server is busy right now. Try again in a moment.';

export type UnlessBusy<T> = { ok: true; value: T } | { ok: false; response: NextResponse };

/**
 * Runs `work`; a `PasswordHasherBusy` from it becomes a ready 503 response, anything else is rethrown.
 * When the queue is already full, `work` does not start at all: a flood's refused requests then cost no
 * database work either (rate-limit reservations, user lookup). The queue can still fill while `work`
 * runs; the hashing call refuses then, and the callers give back what they reserved.
 */
export async function unlessHasherBusy<T>(work: () => Promise<T>): Promise<UnlessBusy<T>> {
  if (passwordHashingQueue().isFull()) return { ok: false, response: busyResponse(new PasswordHasherBusy()) };
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    if (!(error instanceof PasswordHasherBusy)) throw error;
    return { ok: false, response: busyResponse(error) };
  }
}

function busyResponse(error: PasswordHasherBusy): NextResponse {
  return jsonError(503, SERVER_BUSY, { headers: { 'Retry-After': String(error.retryAfterSeconds) } });
}
