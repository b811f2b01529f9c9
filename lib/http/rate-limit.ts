/**
 * Attempt limits, counted in the database so several app instances share one count; nothing lives in
 * process memory.
 * - Password guesses per account (ASVS 6.3.1 / 2.2.1 in v4): at most LOGIN_MAX_FAILURES per email
 *   within LOGIN_FAILURE_WINDOW_SECONDS.
 * - Payments to unknown recipients per sender: a payment form answers "no account with that email",
 *   so without a limit it would be an account-enumeration oracle.
 *
 * Each attempt first reserves a row, then counts the rows in the window, its own included, and goes
 * ahead only if the count is within the limit. Concurrent attempts therefore cannot all squeeze under
 * it (reserve-then-count, not count-then-insert); a burst may be refused a little early, never late.
 * A refused attempt removes its reservation, so hammering does not extend the lock: it lifts one
 * window after the oldest counted attempt, a bounded time.
 */
import 'server-only';
import { createHash } from 'node:crypto';
import { getConfig } from '../proxy-safe/config';
import { db } from '../db/client';

export type AttemptLimit = { scope: string; max: number; windowSeconds: number };

export type AttemptReservation =
  | { ok: true; attemptId: string; key: string }
  | { ok: false; retryAfterSeconds: number };

export const UNKNOWN_RECIPIENT_LIMIT: AttemptLimit = { scope: 'unknown-recipient', max: 5, windowSeconds: 900 };

function passwordLimit(): AttemptLimit {
  const { LOGIN_MAX_FAILURES, LOGIN_FAILURE_WINDOW_SECONDS } = getConfig();
  return { scope: 'password-attempt', max: LOGIN_MAX_FAILURES, windowSeconds: LOGIN_FAILURE_WINDOW_SECONDS };
}

/** The key is a hash, so the table does not collect a list of typed emails. */
function attemptKey(scope: string, subject: string): string {
  return createHash('sha256').update(`${scope}:${subject}`).digest('base64url');
}

async function reserveAttempt(limit: AttemptLimit, subject: string, now: Date): Promise<AttemptReservation> {
  const key = attemptKey(limit.scope, subject);
  const windowStart = new Date(now.getTime() - limit.windowSeconds * 1000);
  const attempt = await db().loginAttempt.create({ data: { key, createdAt: now } });
  const inWindow = { key, createdAt: { gt: windowStart } };
  const count = await db().loginAttempt.count({ where: inWindow });
  if (count <= limit.max) return { ok: true, attemptId: attempt.id, key };

  await db().loginAttempt.delete({ where: { id: attempt.id } });
  const oldest = await db().loginAttempt.findFirst({ where: inWindow, orderBy: { createdAt: 'asc' } });
  const retryAfterMs = (oldest?.createdAt.getTime() ?? now.getTime()) + limit.windowSeconds * 1000 - now.getTime();
  return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) };
}

export function reservePasswordAttempt(email: string, now = new Date()): Promise<AttemptReservation> {
  return reserveAttempt(passwordLimit(), email, now);
}

/** A correct password clears the account's failures: the person has proven who they are. */
export async function clearPasswordAttempts(reservation: { key: string }): Promise<void> {
  await db().loginAttempt.deleteMany({ where: { key: reservation.key } });
}

/**
 * Unknown-recipient lookups count only when they miss, so they are checked, then recorded on a miss
 * (count-then-insert): a burst of concurrent misses can overshoot the limit by its own size, a
 * deliberate trade so that a burst of payments to real recipients is never refused.
 */
export async function unknownRecipientLimitReached(senderId: string, now = new Date()): Promise<number | null> {
  const { scope, max, windowSeconds } = UNKNOWN_RECIPIENT_LIMIT;
  const key = attemptKey(scope, senderId);
  const inWindow = { key, createdAt: { gt: new Date(now.getTime() - windowSeconds * 1000) } };
  if ((await db().loginAttempt.count({ where: inWindow })) < max) return null;
  const oldest = await db().loginAttempt.findFirst({ where: inWindow, orderBy: { createdAt: 'asc' } });
  const retryAfterMs = (oldest?.createdAt.getTime() ?? now.getTime()) + windowSeconds * 1000 - now.getTime();
  return Math.max(1, Math.ceil(retryAfterMs / 1000));
}

export async function recordUnknownRecipient(senderId: string, now = new Date()): Promise<void> {
  await db().loginAttempt.create({ data: { key: attemptKey(UNKNOWN_RECIPIENT_LIMIT.scope, senderId), createdAt: now } });
}

/** The longest window any limit uses: rows older than this count for nothing. */
export function longestAttemptWindowSeconds(): number {
  return Math.max(passwordLimit().windowSeconds, UNKNOWN_RECIPIENT_LIMIT.windowSeconds);
}
