/**
 * The data access layer: the one place pages, route handlers and server actions ask "who is this?".
 * The proxy is a first gate and never the only one (CVE-2025-29927 let requests skip middleware), so
 * everything that needs a user calls one of these again.
 *
 * Two tiers, the trade-off this app demonstrates:
 * - `getSession` / `requireSession`: stateless. They verify the access token's signature and claims,
 *   with no database. Enough for read-only pages and APIs, and still true for a copied token after
 *   logout until the token expires.
 * - `checkActiveSession`: stateful. It also loads the session row and refuses a revoked, idle- or
 *   absolute-expired one. Sensitive actions use it, through lib/sensitive-action.ts.
 */
import 'server-only';
import { cache } from 'react';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { cookieNames } from './cookies';
import { signedOutRedirect } from './redirects';
import { verifyAccessToken, type AccessTokenClaims } from './tokens/access';

/** The verified claims of this request's access token, or null. Verified once per request (React `cache`). */
export const getSession = cache(async (): Promise<AccessTokenClaims | null> => {
  const token = (await cookies()).get(cookieNames().access)?.value;
  if (!token) return null;
  const verified = await verifyAccessToken(token);
  return verified.ok ? verified.claims : null;
});

/** For pages: the claims, or a redirect to renewal or sign-in that comes back to `path`. */
export async function requireSession(path: string): Promise<AccessTokenClaims> {
  const claims = await getSession();
  if (claims) return claims;
  const mayRenew = (await cookies()).has(cookieNames().hint);
  redirect(signedOutRedirect(path, mayRenew));
}

/** The stateful tier lives in its own module (it needs no Next.js request APIs); it is part of this layer. */
export { checkActiveSession, type ActiveSessionCheck } from './active-session';
