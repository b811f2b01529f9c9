import type { NextRequest } from 'next/server';
import { requestMeta } from '@/lib/http/request-meta';
import { clearSessionCookies, cookieNames } from '@/lib/proxy-safe/cookies';
import { json, redirectTo } from '@/lib/http/responses';
import { rejectCrossOrigin } from '@/lib/http/origin';
import { signOut } from '@/lib/auth/sign-out';

/**
 * POST /api/auth/logout: revokes the session row and clears the cookies. Idempotent. Works as a plain
 * HTML form post too (no JavaScript needed): a browser navigation gets a 303 to the login page.
 */
export async function POST(req: NextRequest) {
  const crossOrigin = rejectCrossOrigin(req);
  if (crossOrigin) return crossOrigin;
  const names = cookieNames();
  await signOut(
    { refreshToken: req.cookies.get(names.refresh)?.value, accessToken: req.cookies.get(names.access)?.value },
    requestMeta(req.headers),
  );
  const wantsPage = req.headers.get('sec-fetch-mode') === 'navigate' || (req.headers.get('accept') ?? '').includes('text/html');
  const response = wantsPage
    ? redirectTo('/login?signedOut=1')
    : json({ ok: true });
  clearSessionCookies(response.cookies);
  return response;
}
