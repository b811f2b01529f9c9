/**
 * The one check for reads (the proxy, pages and GET /api/me, through lib/dal.ts): is this access token
 * good enough to read with? ACCESS_TOKEN_CHECK=`stateless` (default): signature and claims alone, so a
 * copied token reads until `exp`; `revocation-list`: also refuse a token whose session was revoked
 * (lib/session/revocation-list.ts), and refuse every read when the list is unavailable. No database
 * import (the proxy imports this): the list is found on `globalThis`, registered by instrumentation.ts.
 * Why: docs/decisions/0050-read-check-modes.md.
 */
import { verifyAccessToken, type AccessTokenClaims } from './access-token';
import { getConfig } from '../config/config';

/** What a revocation list answers. Implemented by lib/session/revocation-list.ts (server-only). */
export type RevocationList = {
  /**
   * True when `sessionId` was revoked recently enough that one of its access tokens may still be
   * valid; throws when it cannot tell. Freshness runs on the wall clock, not on a token's `now`.
   */
  isRevoked(sessionId: string): Promise<boolean>;
};

export type ReadCheck =
  | { ok: true; claims: AccessTokenClaims }
  /**
   * `expired`: a well-signed token past `exp` (a refresh may help); `invalid`: anything else wrong with
   * it; `revoked`: its session is on the revocation list; `unavailable`: revocation-list mode, and the
   * list could not be consulted (refused: the mode fails closed).
   */
  | { ok: false; reason: 'expired' | 'invalid' | 'revoked' | 'unavailable' };

// A Symbol.for key, so every bundle (instrumentation, the proxy, route handlers) finds the same entry.
const REGISTRY_KEY = Symbol.for('nextjs-secure-sessions.revocation-list');
const registry = globalThis as unknown as { [REGISTRY_KEY]?: RevocationList };

/** Makes `list` the one the proxy consults. Called by instrumentation.ts in revocation-list mode. */
export function registerRevocationList(list: RevocationList): void {
  registry[REGISTRY_KEY] = list;
}

/** The registered list, or null. For tests and for the lab, which reports the mode in force. */
export function registeredRevocationList(): RevocationList | null {
  return registry[REGISTRY_KEY] ?? null;
}

/** Removes the registration (tests of the fail-closed path). */
export function unregisterRevocationList(): void {
  delete registry[REGISTRY_KEY];
}

/**
 * Verifies `token` for a read. `list` defaults to the registered one; lib/dal.ts passes the server-side
 * list directly. In stateless mode the list is never consulted.
 */
export async function checkAccessTokenForRead(
  token: string,
  now: Date = new Date(),
  list: RevocationList | null = registeredRevocationList(),
): Promise<ReadCheck> {
  const verified = await verifyAccessToken(token, now);
  if (!verified.ok || getConfig().ACCESS_TOKEN_CHECK === 'stateless') return verified;
  if (!list) return { ok: false, reason: 'unavailable' };
  try {
    return (await list.isRevoked(verified.claims.sessionId)) ? { ok: false, reason: 'revoked' } : verified;
  } catch (error) {
    console.error('Revocation list unavailable: refusing the read', error);
    return { ok: false, reason: 'unavailable' };
  }
}
