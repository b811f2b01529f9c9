/**
 * Password-guessing limit per account (ASVS 6.3.1 / 2.2.1 in v4): at most LOGIN_MAX_FAILURES password
 * attempts per email within LOGIN_FAILURE_WINDOW_SECONDS. Counted in the database so several app
 * instances share one count; nothing lives in process memory.
 *
 * Each attempt first reserves a row, then counts the rows in the window, its own included, and goes
 * ahead only if the count is within the limit. Concurrent attempts therefore cannot all squeeze under
 * it (reserve-then-count, not count-then-insert); a burst may be refused a little early, never late.
 * A refused attempt removes its reservation, so hammering a locked account does not extend the lock:
 * it lifts LOGIN_FAILURE_WINDOW_SECONDS after the oldest failure, a bounded time.
 */
import 'server-only';
import { createHash } from 'node:crypto';
import { getConfig } from './config';
import { db } from './db';

export type AttemptReservation =
  | { ok: true; attemptId: string; key: string }
  | { ok: false; retryAfterSeconds: number };

/** The key is a hash, so the table does not collect a list of typed emails. */
function attemptKey(email: string): string {
  return createHash('sha256').update(`password-attempt:${email}`).digest('base64url');
}

export async function reservePasswordAttempt(email: string, now = new Date()): Promise<AttemptReservation> {
  const { LOGIN_MAX_FAILURES, LOGIN_FAILURE_WINDOW_SECONDS } = getConfig();
  const key = attemptKey(email);
  const windowStart = new Date(now.getTime() - LOGIN_FAILURE_WINDOW_SECONDS * 1000);
  const attempt = await db().loginAttempt.create({ data: { key, createdAt: now } });
  const inWindow = { key, createdAt: { gt: windowStart } };
  const count = await db().loginAttempt.count({ where: inWindow });
  if (count <= LOGIN_MAX_FAILURES) return { ok: true, attemptId: attempt.id, key };

  await db().loginAttempt.delete({ where: { id: attempt.id } });
  const oldest = await db().loginAttempt.findFirst({ where: inWindow, orderBy: { createdAt: 'asc' } });
  const retryAfterMs = (oldest?.createdAt.getTime() ?? now.getTime()) + LOGIN_FAILURE_WINDOW_SECONDS * 1000 - now.getTime();
  return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) };
}

/** A correct password clears the account's failures: the person has proven who they are. */
export async function clearPasswordAttempts(reservation: { key: string }): Promise<void> {
  await db().loginAttempt.deleteMany({ where: { key: reservation.key } });
}
