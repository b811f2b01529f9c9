import type { NextRequest } from 'next/server';
import { requestMeta } from '@/lib/http/request-meta';
import { clearSessionCookies, cookieNames } from '@/lib/proxy-safe/cookies';
import { json, jsonError, redirectTo } from '@/lib/http/responses';
import { rejectCrossOrigin } from '@/lib/http/origin';
import { SESSION_ENDED } from '@/lib/messages';
import { loginPath, safeNextPath } from '@/lib/proxy-safe/redirects';
import { rotateRefreshToken, type RejectionReason, type RotationOutcome } from '@/lib/session/rotate-refresh-token';
import { issueSessionCookies, type SessionCookies } from '@/lib/session/issue-session-cookies';

/**
 * Rejections that mean the session is over, so the browser's cookies go too. A token that is merely
 * withdrawn (replaced by a password change) or unknown leaves them alone: the request may have raced a
 * response that already set newer cookies, and clearing them would sign the person out.
 */
const SESSION_OVER: readonly RejectionReason[] = ['reused', 'revoked', 'idle_expired', 'absolute_expired'];

function endsSession(outcome: RotationOutcome): boolean {
  return outcome.status === 'rejected' && SESSION_OVER.includes(outcome.reason);
}

async function rotate(req: NextRequest): Promise<{ outcome: RotationOutcome; cookies: SessionCookies | null }> {
  const presented = req.cookies.get(cookieNames().refresh)?.value;
  if (!presented) return { outcome: { status: 'rejected', reason: 'unknown' }, cookies: null };
  const outcome = await rotateRefreshToken(presented, requestMeta(req.headers));
  if (outcome.status === 'rejected') return { outcome, cookies: null };
  return { outcome, cookies: await issueSessionCookies(outcome) };
}

/**
 * POST /api/auth/refresh: what client code calls after a 401 (lib/client/refresh.ts).
 * 200 {accessTokenExpiresAt} with new cookies, or 401 (with the cookies cleared when the session is over).
 */
export async function POST(req: NextRequest) {
  const crossOrigin = rejectCrossOrigin(req);
  if (crossOrigin) return crossOrigin;
  const { outcome, cookies } = await rotate(req);
  if (!cookies) {
    const response = jsonError(401, SESSION_ENDED);
    if (endsSession(outcome)) clearSessionCookies(response.cookies);
    return response;
  }
  const response = json({ accessTokenExpiresAt: cookies.accessTokenExpiresAt.toISOString() });
  cookies.writeTo(response.cookies);
  return response;
}

/**
 * GET /api/auth/refresh?next=/path: the silent-renewal hop for page navigations. The proxy sends a
 * visitor here when their access token has expired but a session hint cookie says a refresh may work;
 * the refresh cookie (Path=/api/auth) is only sent to this path, never to pages. On success the
 * browser continues to `next` with new cookies, so the page's server components see the new token;
 * otherwise it lands on the login form. `next` is checked to be a same-origin path.
 *
 * A GET that rotates a token is a deliberate exception to ASVS 3.5.3 (no state change on safe methods):
 * it changes nothing a person can see or an attacker can use. A cross-site page can at most make the
 * victim's own browser renew the session it already holds; the response never reaches the attacker
 * and no action is taken on the person's behalf.
 */
export async function GET(req: NextRequest) {
  const next = safeNextPath(req.nextUrl.searchParams.get('next'));
  const { outcome, cookies } = await rotate(req);
  if (!cookies) {
    const response = redirectTo(loginPath(next));
    if (endsSession(outcome)) clearSessionCookies(response.cookies);
    return response;
  }
  const response = redirectTo(next);
  cookies.writeTo(response.cookies);
  return response;
}

/** Next.js would answer HEAD by running GET, which rotates: a HEAD probe must not change anything. */
export function HEAD() {
  return new Response(null, { status: 405, headers: { Allow: 'GET, POST' } });
}
