/**
 * Renewal: POST and GET /api/auth/refresh exchange the refresh cookie for new session cookies
 * (lib/session/rotate-refresh-token.ts). A refusal's status, cookies and signed-out reason are data on
 * its reason (`REFUSALS`, lib/session/rotation-decision.ts), not decided here.
 */
import type { NextRequest } from 'next/server';
import { requestMeta } from '@/lib/request/request-meta';
import { clearSessionCookies, cookieNames, setSignedOutReasonCookie, type CookieWriter } from '@/lib/tokens/cookies';
import { hasDuplicatedSessionCookies } from '@/lib/tokens/duplicate-cookies';
import { verifyAccessToken, type AccessTokenClaims } from '@/lib/tokens/access-token';
import { dbscSessionTimeline } from '@/lib/session/dbsc-renewal';
import { judgedAt } from '@/lib/request/request-context';
import { isNavigation, json, jsonError, redirectTo } from '@/lib/route/responses';
import { routeHandler, type RouteOptions } from '@/lib/route/route-handler';
import { mayRotateOnGet, renewalPage } from '@/lib/route/renewal-hop';
import { DECLINED_SPECULATIVE_REQUEST, isSpeculativeRequest } from '@/lib/request/speculative-request';
import { KEY_MISSING, SESSION_ENDED, SIGN_AGAIN } from '@/lib/forms/messages';
import { expectedOrigin } from '@/lib/request/origin';
import { KEY_PROOF_HEADER, KEY_PROOF_NONCE_HEADER } from '@/lib/session/binding-columns';
import { NON_PAGE_CONTENT_SECURITY_POLICY } from '@/lib/request/static-headers.js';
import { loginPath, safeNextPath } from '@/lib/request/redirects';
import { rotateRefreshToken } from '@/lib/session/rotate-refresh-token';
import { refusalOf, type Refusal, type Rejection } from '@/lib/session/rotation-decision';
import { issueSessionCookies, type SessionCookies } from '@/lib/tokens/issue-session-cookies';
import { renewalAnswer } from '@/lib/session/session-timeline';

/** A granted renewal's JSON (its timeline comes from the rotation's own rows), or a refusal. */
type Renewal =
  | { granted: true; answer: ReturnType<typeof renewalAnswer>; cookies: SessionCookies; proofNonce?: string }
  | { granted: false; refusal: Refusal; rejection: Rejection };

/**
 * `withProof`: a POST may carry the page's key proof (header `DPoP`, docs/decisions/0102-key-bound-renewal.md);
 * a GET never does, so a key-bound session is never renewed by a GET.
 */
async function renew(req: NextRequest, withProof: boolean): Promise<Renewal> {
  const names = cookieNames();
  // As of the request's arrival (`judgedAt`): a sibling that arrived inside the grace window, then
  // waited its turn on a busy server past it, would otherwise be judged a replay.
  const at = judgedAt(req.headers);
  const presented = req.cookies.get(names.refresh)?.value;
  const duplicatedCookies = hasDuplicatedSessionCookies(req.headers);
  const access = await accessTokenClaims(req.cookies.get(names.access)?.value);
  // A DBSC session has no refresh cookie: the browser's own DBSC refresh ran before this request, so a
  // valid access token of it is answered with the timeline, and nothing is granted that it lacked.
  if (presented === undefined && access && !duplicatedCookies) {
    const timeline = await dbscSessionTimeline(access.sessionId, access.userId, at);
    if (timeline) return { granted: true, answer: renewalAnswer(access.sessionId, unchangedCookies(access), timeline, at), cookies: unchangedCookies(access) };
  }
  const outcome = await rotateRefreshToken(presented, requestMeta(req.headers), at, {
    duplicatedCookies,
    accessTokenSessionId: access?.sessionId,
    keyProof: {
      token: withProof ? (req.headers.get(KEY_PROOF_HEADER) ?? undefined) : undefined,
      url: `${expectedOrigin(req.headers) ?? 'null'}/api/auth/refresh`,
    },
  });
  if (outcome.status === 'rejected') return { granted: false, refusal: refusalOf(outcome), rejection: outcome };
  const cookies = await issueSessionCookies(outcome);
  const answer = renewalAnswer(outcome.sessionId, cookies, outcome.timeline, at);
  return { granted: true, answer, cookies, proofNonce: outcome.proofNonce };
}

/** A renewal's JSON answer: the key-bound ones name the next nonce; a retry also the server's clock. */
function jsonAnswer(renewal: Renewal, at: Date) {
  if (renewal.granted) {
    const response = json(renewal.answer);
    if (renewal.proofNonce) response.headers.set(KEY_PROOF_NONCE_HEADER, renewal.proofNonce);
    return response;
  }
  const { reason, nonce } = renewal.rejection;
  if (reason === 'proof_retry' && nonce) {
    const response = json({ error: SIGN_AGAIN, retry: 'use_dpop_nonce', serverTime: at.toISOString() }, 401);
    response.headers.set(KEY_PROOF_NONCE_HEADER, nonce);
    return response;
  }
  if (reason === 'proof_required') return json({ error: KEY_MISSING, reason: 'key_missing' }, 401);
  return jsonError(renewal.refusal.httpStatus, SESSION_ENDED);
}

/** The claims of a valid `__Host-` access cookie (which no sibling host can plant); else nothing. */
async function accessTokenClaims(token: string | undefined): Promise<AccessTokenClaims | undefined> {
  const verified = token ? await verifyAccessToken(token) : undefined;
  return verified?.ok ? verified.claims : undefined;
}

/** A DBSC session's renewal writes no cookie: the access cookie the browser holds stays. */
function unchangedCookies(claims: AccessTokenClaims): SessionCookies {
  return { accessTokenIssuedAt: claims.issuedAt, accessTokenExpiresAt: claims.expiresAt, writeTo: () => {} };
}

/** A granted renewal's new cookies; a refusal's, as its row of REFUSALS says (lib/session/rotation-decision.ts). */
function settle(jar: CookieWriter, renewal: Renewal) {
  if (renewal.granted) return renewal.cookies.writeTo(jar);
  if (!renewal.refusal.clearsCookies) return;
  clearSessionCookies(jar);
  if (renewal.refusal.signedOutReason) setSignedOutReasonCookie(jar, renewal.refusal.signedOutReason);
}

function redirectAfter(renewal: Renewal, next: string) {
  // A key-bound session renewed without its key (a browser whose site data was cleared, or copied cookies).
  const keyMissing = !renewal.granted && renewal.rejection.reason === 'proof_required';
  const response = redirectTo(renewal.granted ? next : keyMissing ? `${loginPath(next)}&reason=key_missing` : loginPath(next));
  settle(response.cookies, renewal);
  return response;
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
  const renewal = await renew(req, true);
  // A form post from the renewal page (a navigation) wants a redirect, not JSON.
  if (isNavigation(req.headers)) return redirectAfter(renewal, safeNextPath(req.nextUrl.searchParams.get('next')));
  const response = jsonAnswer(renewal, judgedAt(req.headers));
  settle(response.cookies, renewal);
  return response;
});

/**
 * GET /api/auth/refresh?next=/path: the silent-renewal hop the proxy sends a navigation to when its
 * access token has expired (the refresh cookie, Path=/api/auth, reaches only this path): 303 to `next`
 * with new cookies, or to the login form. A GET that rotates is a deliberate exception to ASVS 3.5.3,
 * made only for navigations the app or the person started (lib/route/renewal-hop.ts); a prefetch
 * rotates nothing (docs/decisions/0046-speculative-requests-change-nothing.md).
 */
export const GET = routeHandler({ crossOrigin: 'allowed', defaultHeaders: NON_PAGE_CSP }, async (req: NextRequest) => {
  const next = safeNextPath(req.nextUrl.searchParams.get('next'));
  // A prefetch or prerender changes nothing and gets nothing to keep: not even the renewal page,
  // whose script a prerender would run (lib/request/speculative-request.ts).
  if (isSpeculativeRequest(req.headers)) return new Response(null, DECLINED_SPECULATIVE_REQUEST);
  if (!mayRotateOnGet(req.headers) || isDbscBrowser(req)) return renewalPage(next);
  const renewal = await renew(req, false);
  // A key-bound session renews only with a proof, which a GET cannot carry: the renewal page signs one.
  if (!renewal.granted && renewal.rejection.reason === 'proof_required') return renewalPage(next);
  return redirectAfter(renewal, next);
});

/**
 * The session hint without a refresh cookie: a session bound by DBSC, which has none. The renewal
 * page's same-origin POST is held by the browser for its DBSC refresh, then answered as renewed; a
 * redirect to sign-in from here would sign it out.
 */
function isDbscBrowser(req: NextRequest): boolean {
  const names = cookieNames();
  return req.cookies.has(names.hint) && !req.cookies.has(names.refresh);
}

/** Next.js would answer HEAD by running GET, which rotates: a HEAD probe must not change anything. */
export const HEAD = routeHandler(
  { crossOrigin: 'allowed', defaultHeaders: NON_PAGE_CSP },
  () => new Response(null, { status: 405, headers: { Allow: 'GET, POST' } }),
);
