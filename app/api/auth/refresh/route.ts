import type { NextRequest } from 'next/server';
import { requestMeta } from '@/lib/request/request-meta';
import { clearSessionCookies, cookieNames, setSignedOutReasonCookie, type CookieWriter } from '@/lib/tokens/cookies';
import { hasDuplicatedSessionCookies } from '@/lib/tokens/duplicate-cookies';
import { verifyAccessToken } from '@/lib/tokens/access-token';
import { judgedAt } from '@/lib/request/request-context';
import { isNavigation, json, jsonError, redirectTo } from '@/lib/route/responses';
import { routeHandler, type RouteOptions } from '@/lib/route/route-handler';
import { mayRotateOnGet, renewalPage } from '@/lib/route/renewal-hop';
import { DECLINED_SPECULATIVE_REQUEST, isSpeculativeRequest } from '@/lib/request/speculative-request';
import { SESSION_ENDED } from '@/lib/forms/messages';
import { NON_PAGE_CONTENT_SECURITY_POLICY } from '@/lib/request/static-headers.js';
import { loginPath, safeNextPath } from '@/lib/request/redirects';
import { rotateRefreshToken, type RejectionReason, type RotationOutcome } from '@/lib/session/rotate-refresh-token';
import { issueSessionCookies, type SessionCookies } from '@/lib/tokens/issue-session-cookies';
import { signedOutReasonFor, type SignedOutReason } from '@/lib/session/signed-out-reason';
import { renewalAnswer } from '@/lib/session/session-timeline';

/**
 * Rejections that mean the session is over, or that the browser's cookies cannot be trusted, so the
 * app's cookies go. A token that is merely withdrawn (replaced by a password change) or unknown leaves
 * them alone: the request may have raced a response that already set newer cookies, and clearing
 * them would sign the person out.
 */
const CLEARS_COOKIES: readonly RejectionReason[] = [
  'reused',
  'revoked',
  'idle_expired',
  'absolute_expired',
  // Cookie tossing: see lib/tokens/duplicate-cookies.ts. Only the app's host-only cookies can be
  // cleared; a planted one stays until it expires.
  'session_mismatch',
];

type Granted = Exclude<RotationOutcome, { status: 'rejected' }>;
/** `at`: the moment the rotation ran, which its timeline describes. */
type Renewal = { outcome: RotationOutcome; cookies: null } | { outcome: Granted; cookies: SessionCookies; at: Date };

function clearsCookies(outcome: RotationOutcome): boolean {
  return outcome.status === 'rejected' && CLEARS_COOKIES.includes(outcome.reason);
}

/**
 * A refusal that ends the session in this browser: its cookies go, and when it ended for a reason the
 * holder did not choose, the sign-in page is told why. Only this response, to the request that
 * presented the session's own refresh token, carries that (lib/session/signed-out-reason.ts).
 */
function endSessionIn(jar: CookieWriter, outcome: RotationOutcome) {
  if (!clearsCookies(outcome)) return;
  clearSessionCookies(jar);
  const reason = signedOutReasonOf(outcome);
  if (reason) setSignedOutReasonCookie(jar, reason);
}

function signedOutReasonOf(outcome: RotationOutcome): SignedOutReason | null {
  if (outcome.status !== 'rejected') return null;
  switch (outcome.reason) {
    case 'reused':
    case 'idle_expired':
    case 'absolute_expired':
      return signedOutReasonFor({ state: outcome.reason });
    case 'revoked':
      return signedOutReasonFor({ state: 'revoked', revokedReason: outcome.revokedReason });
    default:
      return null;
  }
}

async function rotate(req: NextRequest): Promise<Renewal> {
  // A session cookie sent twice: one of them was planted by a sibling host, and nothing says which.
  if (hasDuplicatedSessionCookies(req.headers)) {
    return { outcome: { status: 'rejected', reason: 'session_mismatch' }, cookies: null };
  }
  const names = cookieNames();
  const presented = req.cookies.get(names.refresh)?.value;
  if (!presented) return { outcome: { status: 'rejected', reason: 'unknown' }, cookies: null };
  // As of the request's arrival, stamped by the server's own hook (`judgedAt`): a sibling that arrived
  // inside the grace window, then waited its turn on a busy server past it, would otherwise be judged a
  // replay, and the person signed out. A replay that arrives after the window is still one.
  const at = judgedAt(req.headers);
  const outcome = await rotateRefreshToken(presented, requestMeta(req.headers), at, {
    accessTokenSessionId: await accessTokenSessionId(req.cookies.get(names.access)?.value),
  });
  if (outcome.status === 'rejected') return { outcome, cookies: null };
  return { outcome, cookies: await issueSessionCookies(outcome), at };
}

/**
 * The session the request's access token names, if it carries a valid one. It is a `__Host-` cookie,
 * which a sibling host cannot plant, so it is the reference a refresh cookie must agree with. An
 * expired or invalid one says nothing trustworthy and is ignored (browsers drop it at expiry anyway).
 */
async function accessTokenSessionId(token: string | undefined): Promise<string | undefined> {
  if (!token) return undefined;
  const verified = await verifyAccessToken(token);
  return verified.ok ? verified.claims.sessionId : undefined;
}

function redirectAfter(renewal: Renewal, next: string) {
  const response = redirectTo(renewal.cookies ? next : loginPath(next));
  if (renewal.cookies) renewal.cookies.writeTo(response.cookies);
  else endSessionIn(response.cookies, renewal.outcome);
  return response;
}

/**
 * The JSON a script gets for a renewal: the new access token's times and the session's timeline
 * (deadlines, last rotation), so a page can redraw its session clock without reloading. The timeline
 * comes with the rotation's outcome, from the rows the rotation itself read and wrote: no second read.
 */
function renewalAnswerFor(renewal: Extract<Renewal, { cookies: SessionCookies }>) {
  return renewalAnswer(renewal.outcome.sessionId, renewal.cookies, renewal.outcome.timeline, renewal.at);
}

/**
 * Every answer here but the renewal page (which brings its own) gets the APIs' allow-nothing policy:
 * next.config.js leaves this path out, since its header would replace the renewal page's.
 */
const NON_PAGE_CSP: RouteOptions['defaultHeaders'] = { 'Content-Security-Policy': NON_PAGE_CONTENT_SECURITY_POLICY };

/**
 * POST /api/auth/refresh: what client code calls after a 401 (lib/client/refresh.ts), and what the
 * renewal page's form posts. JSON: 200 {accessTokenExpiresAt, accessTokenIssuedAt, sessionId, session}
 * with new cookies, or 401 (with the cookies cleared when the session is over). A navigation: 303 to
 * `next`, or to the login form.
 */
export const POST = routeHandler({ defaultHeaders: NON_PAGE_CSP }, async (req: NextRequest) => {
  const renewal = await rotate(req);
  // A form post from the renewal page (a navigation) wants a redirect, not JSON.
  if (isNavigation(req.headers)) return redirectAfter(renewal, safeNextPath(req.nextUrl.searchParams.get('next')));
  if (!renewal.cookies) {
    const response = jsonError(401, SESSION_ENDED);
    endSessionIn(response.cookies, renewal.outcome);
    return response;
  }
  const response = json(renewalAnswerFor(renewal));
  renewal.cookies.writeTo(response.cookies);
  return response;
});

/**
 * GET /api/auth/refresh?next=/path: the silent-renewal hop for page navigations. The proxy sends a
 * visitor here when their access token has expired but a session hint cookie says a refresh may work;
 * the refresh cookie (Path=/api/auth) is only sent to this path, never to pages. On success the
 * browser continues to `next` with new cookies, so the page's server components see the new token;
 * otherwise it lands on the login form. `next` is checked to be a same-origin path.
 *
 * A GET that rotates a token is a deliberate exception to ASVS 3.5.3 (no state change on safe methods),
 * allowed only for navigations the app or the person started. A navigation another site started
 * (Fetch Metadata, Origin, Referer: lib/route/renewal-hop.ts) changes nothing here: it gets a page that
 * renews by a same-origin POST. Otherwise that site could abort the hop after the rotation and turn
 * the person's next renewal into a false reuse alarm that signs them out. So does
 * a GET without Fetch Metadata, which nothing shows was not started elsewhere; and a prefetch rotates
 * nothing at all, since the browser may discard its answer with the same result.
 */
export const GET = routeHandler({ crossOrigin: 'allowed', defaultHeaders: NON_PAGE_CSP }, async (req: NextRequest) => {
  const next = safeNextPath(req.nextUrl.searchParams.get('next'));
  // A prefetch or prerender changes nothing and gets nothing to keep: not even the renewal page,
  // whose script a prerender would run (lib/request/speculative-request.ts).
  if (isSpeculativeRequest(req.headers)) return new Response(null, DECLINED_SPECULATIVE_REQUEST);
  if (!mayRotateOnGet(req.headers)) return renewalPage(next);
  return redirectAfter(await rotate(req), next);
});

/** Next.js would answer HEAD by running GET, which rotates: a HEAD probe must not change anything. */
export const HEAD = routeHandler(
  { crossOrigin: 'allowed', defaultHeaders: NON_PAGE_CSP },
  () => new Response(null, { status: 405, headers: { Allow: 'GET, POST' } }),
);
