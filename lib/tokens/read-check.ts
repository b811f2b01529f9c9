/**
 * The one check for reads (the proxy, pages and GET /api/me, through lib/dal.ts): is this access
 * token good enough to read with? Which answer depends on ACCESS_TOKEN_CHECK.
 *
 * - `stateless` (default): the signature and claims alone (lib/tokens/access-token.ts). No lookup,
 *   which is the point of a JWT, and its price: after logout a copied token reads until `exp`.
 * - `revocation-list`: also refuse a token whose session was revoked, from the list of recently
 *   revoked sessions (lib/session/revocation-list.ts). The token turns back into a stateful session
 *   for reads too, at the cost of keeping that list (the premise's "when to add state").
 *
 * This module may not import the database: the proxy imports it, and in the default mode the proxy's
 * module graph must stay free of database code (tests/unit/boundaries.test.ts). So the list is not
 * imported here but looked up at run time on `globalThis`, where instrumentation.ts registers it in
 * revocation-list mode. In `next start` the proxy runs in the same Node.js process and sees the same
 * `globalThis` as instrumentation and route code (checked in a real `next start`; the e2e suite runs the
 * mode end to end). If the list is missing or cannot be loaded in that mode, reads are refused: the
 * mode fails closed, never silently back to stateless.
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
