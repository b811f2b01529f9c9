/**
 * When a session row stops being usable. Pure: no database, no clock of its own, so the rules are
 * tested with any `now` and shared by refresh, sensitive actions and housekeeping.
 *
 * - Revoked: logout, refresh-token reuse, password change elsewhere (ASVS 7.4.1, 7.4.3).
 * - Idle: no refresh for SESSION_IDLE_TIMEOUT_SECONDS (ASVS 7.3.1).
 * - Absolute: SESSION_ABSOLUTE_TIMEOUT_SECONDS after sign-in, whatever happened since (ASVS 7.3.2).
 */
import { getConfig } from '../config/config';

export type SessionTimes = { revokedAt: Date | null; lastActiveAt: Date; expiresAt: Date };

export type SessionState = 'active' | 'revoked' | 'idle_expired' | 'absolute_expired';

export function sessionState(session: SessionTimes, now: Date): SessionState {
  if (session.revokedAt) return 'revoked';
  if (now.getTime() >= session.expiresAt.getTime()) return 'absolute_expired';
  if (now.getTime() >= idleDeadline(session.lastActiveAt).getTime()) return 'idle_expired';
  return 'active';
}

/** When a session not refreshed since `lastActiveAt` ends for idleness (ASVS 7.3.1). */
export function idleDeadline(lastActiveAt: Date): Date {
  return new Date(lastActiveAt.getTime() + getConfig().SESSION_IDLE_TIMEOUT_SECONDS * 1000);
}

export function absoluteDeadline(createdAt: Date): Date {
  return new Date(createdAt.getTime() + getConfig().SESSION_ABSOLUTE_TIMEOUT_SECONDS * 1000);
}

/** Oldest `lastActiveAt` that is still inside the idle window: for queries and pruning. */
export function idleCutoff(now: Date): Date {
  return new Date(now.getTime() - getConfig().SESSION_IDLE_TIMEOUT_SECONDS * 1000);
}
