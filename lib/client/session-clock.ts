/**
 * The session clock in the browser: what this tab knows about its session's timeline, in a tiny store
 * that client-side renewal (lib/client/refresh.ts) publishes to, so a page showing the clock redraws
 * after *every* renewal it triggers, not only after a navigation. Components read it with
 * `useSyncExternalStore` (lib/client/use-session-clock.ts). Browser-safe on purpose (no React, no zod,
 * no server code), and it holds only times: the tokens stay in HttpOnly cookies.
 */

import type { RenewalAnswer, SessionClock, SessionRowSnapshot } from '../session/session-clock-types';

export type { RenewalAnswer, SessionClock, SessionRowSnapshot };

export type RenewalOutcome = 'renewed' | 'refused' | 'unreachable';

export type SessionClockSnapshot = {
  /** A renewal request is on its way. */
  renewing: boolean;
  /** The clock the newest successful renewal in this tab reported, if any. */
  renewed: SessionClock | null;
  /** The last renewal's outcome; `count` tells two identical outcomes apart. */
  last: { outcome: RenewalOutcome; at: string; count: number } | null;
  /**
   * The latest access-token expiry the server accepted from this browser (GET /api/me answered with
   * it). Later than the drawn clock means a renewal happened where this page could not see it (a
   * link prefetch's renewal hop, another tab): the page should re-read its server data.
   */
  seen: { sessionId: string; expiresAt: string } | null;
};

const INITIAL: SessionClockSnapshot = Object.freeze({ renewing: false, renewed: null, last: null, seen: null });

let snapshot: SessionClockSnapshot = INITIAL;
const listeners = new Set<() => void>();

function publish(next: SessionClockSnapshot) {
  snapshot = next;
  for (const listener of listeners) listener();
}

export function subscribeToSessionClock(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The current snapshot; a new object only when something changed (what useSyncExternalStore needs). */
export function getSessionClockSnapshot(): SessionClockSnapshot {
  return snapshot;
}

/** On the server and while hydrating, no renewal has happened in this tab yet. */
export function getServerSessionClockSnapshot(): SessionClockSnapshot {
  return INITIAL;
}

export function reportRenewalStarted(): void {
  if (!snapshot.renewing) publish({ ...snapshot, renewing: true });
}

/**
 * A renewal finished. `answer` is the refresh handler's JSON for a renewed session; a clock is kept
 * only if it has the expected shape (the body is not validated by a schema library in the browser).
 */
export function reportRenewalFinished(outcome: RenewalOutcome, answer?: unknown, now = new Date()): void {
  const clock = outcome === 'renewed' ? clockFromRenewalAnswer(answer) : null;
  publish({
    ...snapshot,
    renewing: false,
    renewed: clock ? newestClock(snapshot.renewed, clock) : snapshot.renewed,
    last: { outcome, at: now.toISOString(), count: (snapshot.last?.count ?? 0) + 1 },
  });
}

/** The server accepted an access token of `sessionId` that expires at `expiresAt` (GET /api/me said so). */
export function reportAccessTokenSeen(sessionId: string, expiresAt: string): void {
  if (!isTime(expiresAt)) return;
  const seen = snapshot.seen;
  if (seen && seen.sessionId === sessionId && Date.parse(seen.expiresAt) >= Date.parse(expiresAt)) return;
  publish({ ...snapshot, seen: { sessionId, expiresAt } });
}

/**
 * True when the browser holds a newer access token than `clock` draws: one the server accepted from
 * this browser expires later. Renewals through lib/client/refresh.ts never cause this (they publish
 * their clock); a renewal hop of a link prefetch or another tab does.
 */
export function holdsNewerToken(clock: SessionClock, seen: SessionClockSnapshot['seen']): boolean {
  return seen !== null && seen.sessionId === clock.sessionId && Date.parse(seen.expiresAt) > Date.parse(clock.accessToken.expiresAt);
}

/** Forgets every renewal: for tests, which share one module between cases. */
export function resetSessionClock(): void {
  publish(INITIAL);
}

const isTime = (value: unknown): value is string => typeof value === 'string' && !Number.isNaN(Date.parse(value));
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const ROW_STATES = new Set(['active', 'revoked', 'idle_expired', 'absolute_expired']);

function rowFrom(value: unknown): SessionRowSnapshot | null {
  if (!isObject(value)) return null;
  const { readAt, state, revokedAt, revokedReason, idleExpiresAt, absoluteExpiresAt, lastRotatedAt, rotations } = value;
  if (!isTime(readAt) || typeof state !== 'string' || !ROW_STATES.has(state)) return null;
  if (!isTime(idleExpiresAt) || !isTime(absoluteExpiresAt) || typeof rotations !== 'number') return null;
  if (revokedAt !== null && !isTime(revokedAt)) return null;
  if (lastRotatedAt !== null && !isTime(lastRotatedAt)) return null;
  if (revokedReason !== null && typeof revokedReason !== 'string') return null;
  return {
    readAt,
    state: state as SessionRowSnapshot['state'],
    revokedAt,
    revokedReason,
    idleExpiresAt,
    absoluteExpiresAt,
    lastRotatedAt,
    rotations,
  };
}

/** The clock a refresh answer describes, or null if the body is not one. */
export function clockFromRenewalAnswer(answer: unknown): SessionClock | null {
  if (!isObject(answer)) return null;
  const { accessTokenIssuedAt, accessTokenExpiresAt, sessionId, session } = answer;
  if (!isTime(accessTokenIssuedAt) || !isTime(accessTokenExpiresAt) || typeof sessionId !== 'string') return null;
  return { sessionId, accessToken: { issuedAt: accessTokenIssuedAt, expiresAt: accessTokenExpiresAt }, row: rowFrom(session) };
}

/**
 * Which of two clocks describes the token the browser holds now: the one with the later-issued
 * access token (a renewal in this tab, or a page render after a navigation's renewal). A clock of
 * another session (the person signed in again, or a password entry continued in a new session)
 * never replaces the page's own: `current` wins then.
 */
export function newestClock(current: SessionClock | null, candidate: SessionClock | null): SessionClock | null {
  if (!current) return candidate;
  if (!candidate || candidate.sessionId !== current.sessionId) return current;
  const issued = (clock: SessionClock) => Date.parse(clock.accessToken.issuedAt);
  if (issued(candidate) > issued(current)) return candidate;
  if (issued(candidate) < issued(current)) return current;
  // The same token: keep the fresher reading of the row.
  const readAt = (clock: SessionClock) => (clock.row ? Date.parse(clock.row.readAt) : -Infinity);
  return readAt(candidate) > readAt(current) ? candidate : current;
}

export type AccessTokenPhase = 'valid' | 'expiring' | 'expired';

/** Below this share of its lifetime, the token is shown as about to expire. */
export const EXPIRING_FRACTION = 0.2;

/**
 * How much of the access token's lifetime is left at `now`: whole seconds (rounded up, so "0 s"
 * means expired), the lifetime, the fraction left (0 to 1) and the phase the picture shows.
 */
export function accessTokenLeft(
  token: { issuedAt: string; expiresAt: string },
  now: Date,
): { secondsLeft: number; lifetimeSeconds: number; fraction: number; phase: AccessTokenPhase } {
  const issued = Date.parse(token.issuedAt);
  const expires = Date.parse(token.expiresAt);
  const lifetimeSeconds = Math.max(1, Math.round((expires - issued) / 1000));
  const msLeft = expires - now.getTime();
  const secondsLeft = Math.min(lifetimeSeconds, Math.max(0, Math.ceil(msLeft / 1000)));
  const fraction = Math.min(1, Math.max(0, msLeft / (lifetimeSeconds * 1000)));
  const phase: AccessTokenPhase = msLeft <= 0 ? 'expired' : fraction <= EXPIRING_FRACTION ? 'expiring' : 'valid';
  return { secondsLeft, lifetimeSeconds, fraction, phase };
}
