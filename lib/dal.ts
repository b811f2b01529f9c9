/**
 * The data access layer: the one place pages, server actions and route handlers ask "who is this?".
 * The proxy is a first gate and never the only one (CVE-2025-29927 let requests skip middleware), so
 * everything that needs a user calls one of these again.
 *
 * Two tiers, the trade-off this app demonstrates:
 * - `getSession` / `requireSession`: stateless. Verifies the access token's signature and claims,
 *   with no database. Enough for read-only pages, and still true for a copied token after logout
 *   until it expires.
 * - `getActiveSession`: stateful. Also loads the session row and refuses a revoked, idle- or
 *   absolute-expired session. Sensitive actions use it (through lib/sensitive-action.ts).
 */
import 'server-only';
import { cache } from 'react';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { cookieNames } from './cookies';
import { signedOutRedirect } from './redirects';
import { findActiveSession, type SessionLookup } from './session';
import { verifyAccessToken, type AccessTokenClaims, type AccessTokenVerification } from './tokens/access';

/** Verified once per request, however many components ask (React `cache`). */
export const getAccessToken = cache(async (): Promise<AccessTokenVerification | { ok: false; reason: 'missing' }> => {
  const token = (await cookies()).get(cookieNames().access)?.value;
  if (!token) return { ok: false, reason: 'missing' };
  return verifyAccessToken(token);
});

/** Stateless: the verified claims, or null. */
export async function getSession(): Promise<AccessTokenClaims | null> {
  const verified = await getAccessToken();
  return verified.ok ? verified.claims : null;
}

/** Stateless, for pages: the claims, or a redirect to renewal or sign-in that comes back to `path`. */
export async function requireSession(path: string): Promise<AccessTokenClaims> {
  const claims = await getSession();
  if (claims) return claims;
  const mayRenew = (await cookies()).has(cookieNames().hint);
  redirect(signedOutRedirect(path, mayRenew));
}

export type ActiveSessionCheck =
  | SessionLookup
  | { ok: false; reason: 'access_token_missing' | 'access_token_invalid' | 'access_token_expired' };

/** Stateful: a valid access token *and* a live session row for the same user. */
export async function getActiveSession(now = new Date()): Promise<ActiveSessionCheck> {
  const verified = await getAccessToken();
  if (!verified.ok) {
    return { ok: false, reason: `access_token_${verified.reason}` as const };
  }
  return findActiveSession(verified.claims.sessionId, verified.claims.userId, now);
}
