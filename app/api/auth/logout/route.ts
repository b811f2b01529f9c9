import type { NextRequest } from 'next/server';
import { requestMeta } from '@/lib/request/request-meta';
import { clearSessionCookies, clearSignedOutReasonCookie, cookieNames, signedOutReasonCookieName } from '@/lib/tokens/cookies';
import { cookieValues } from '@/lib/tokens/duplicate-cookies';
import { isNavigation, json, redirectTo } from '@/lib/route/responses';
import { routeHandler } from '@/lib/route/route-handler';
import { signOut } from '@/lib/auth/sign-out';

/**
 * POST /api/auth/logout: revokes the session row and clears the cookies. Idempotent. Works as a plain
 * HTML form post too (no JavaScript needed): a browser navigation gets a 303 to the login page.
 *
 * Every refresh- and access-cookie value is read from the raw Cookie header, not Next's parsed map (which keeps
 * only the last of duplicates): with a copy planted by a sibling host (cookie tossing), the person's
 * own session must still end. lib/auth/sign-out.ts ends all of them, and the access token's.
 * Clearing reaches only the app's own host-only cookies; a planted one stays until it expires.
 */
export const POST = routeHandler({}, async (req: NextRequest) => {
  const names = cookieNames();
  await signOut(
    { refreshToken: cookieValues(req.headers.get('cookie'), names.refresh), accessToken: cookieValues(req.headers.get('cookie'), names.access) },
    requestMeta(req.headers),
  );
  const response = isNavigation(req.headers) ? redirectTo('/login?signedOut=1') : json({ ok: true });
  clearSessionCookies(response.cookies);
  // Signed out by their own hand: the sign-in page must not explain an older ending instead.
  if (req.cookies.has(signedOutReasonCookieName())) clearSignedOutReasonCookie(response.cookies);
  return response;
});
