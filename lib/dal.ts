/**
 * The data access layer (the Next.js authentication guide's DAL): what pages, route handlers and server
 * actions ask "who is this?", since the proxy is never the only gate (CVE-2025-29927). Two tiers:
 * `verifySession`, the access token alone, for reads; `verifyLiveSession`, the token and a live session
 * row, for sensitive actions (ASVS 7.4.1); and `verifySessionOrRedirect` for pages.
 * Why: docs/decisions/0011-data-access-layer-vocabulary.md.
 */
import 'server-only';
import { cache } from 'react';
import { cookies, headers } from 'next/headers';
import { verifyAccessToken, type AccessTokenClaims } from './tokens/access-token';
import { checkAccessTokenForRead } from './tokens/read-check';
import { judgedAt, type HeaderReader } from './request/request-context';
import { revocationList } from './session/revocation-list';
import { cookieNames } from './tokens/cookies';
import { hasDuplicatedSessionCookies } from './tokens/duplicate-cookies';
import { signedOutRedirect } from './request/redirects';
import { findActiveSession } from './session/session-lookup';
import { signedOutReasonFor, type SignedOutReason } from './session/signed-out-reason';
import type { SessionRecord } from './session/session-types';
import type { SessionUser } from './auth/user';

/** What the layer reads from a request's cookies; `await cookies()` and `NextRequest.cookies` both fit. */
export type CookieReader = { get(name: string): { value: string } | undefined; has(name: string): boolean };

/** A request's parts for `verifySession`; by default this request's own. Explicit for tests. */
export type SessionRequest = {
  cookies: CookieReader;
  /** With headers, the request is judged as of its arrival and refused with a duplicated session cookie. */
  headers?: HeaderReader;
  now?: Date;
};

/** A request's parts for `verifyLiveSession`; by default this request's own. Explicit for tests and checked actions. */
export type LiveSessionRequest = {
  accessToken: string | undefined;
  /** The session-hint cookie is present: a browser that dropped an expired access cookie may renew. */
  mayRenew: boolean;
  now: Date;
  /** The request carried a session cookie twice (lib/tokens/duplicate-cookies.ts): no session is trusted. */
  duplicatedCookies?: boolean;
};

export type LiveSessionCheck =
  | { ok: true; user: SessionUser; session: SessionRecord }
  /** `renewable`: the access token expired (or the browser dropped it and the hint says a refresh may work). */
  | { ok: false; reason: 'renewable' }
  /** `signedOutReason`: what to tell this session's holder on the sign-in page, when there is something to tell. */
  | {
      ok: false;
      reason: 'ended';
      signedOutReason?: SignedOutReason;
      /** The row is past a deadline nothing has written yet: the checked path writes it. */
      timedOut?: { session: { id: string; userId: string }; state: 'idle_expired' | 'absolute_expired' };
    };

/**
 * The verified claims of the request's access token, or null; cached per request (React `cache`).
 * Verified here, not merely decoded: a page must not trust a token because the proxy let it through.
 * The same read check as the proxy's (lib/tokens/read-check.ts), judged as of the request's arrival
 * (lib/request/request-context.ts `judgedAt`). A session cookie sent twice reads as signed out:
 * the jar keeps only the last copy, and nothing says whose it is.
 */
export const verifySession = cache(async (request?: SessionRequest): Promise<AccessTokenClaims | null> => {
  const { cookies: jar, headers: requestHeaders, now = new Date() } = request ?? (await thisSessionRequest());
  if (requestHeaders && hasDuplicatedSessionCookies(requestHeaders)) return null;
  const token = jar.get(cookieNames().access)?.value;
  if (!token) return null;
  const at = requestHeaders ? judgedAt(requestHeaders, now) : now;
  const checked = await checkAccessTokenForRead(token, at, revocationList());
  return checked.ok ? checked.claims : null;
});

/** For pages: the claims, or a redirect to renewal or sign-in that comes back to `path`. */
export async function verifySessionOrRedirect(path: string): Promise<AccessTokenClaims> {
  const claims = await verifySession();
  if (claims) return claims;
  const mayRenew = (await cookies()).has(cookieNames().hint);
  // Imported here, not at the top: next/navigation loads React's client context, which plain Node
  // under the react-server condition (the unit tests) cannot; inside Next it is the same module.
  const { redirect } = await import('next/navigation');
  return redirect(signedOutRedirect(path, mayRenew));
}

/**
 * A valid access token and a live session row for the same user (lib/session/session-lookup.ts): the
 * check behind every sensitive action (lib/sensitive-actions/checked-action.ts) and the pages that show
 * the account's own records. A live token for a dead session fails here. Cached per request.
 */
export const verifyLiveSession = cache(async (request?: LiveSessionRequest): Promise<LiveSessionCheck> => {
  const { accessToken, mayRenew, now, duplicatedCookies } = request ?? (await thisLiveSessionRequest());
  const ended = { ok: false, reason: 'ended' } as const;
  if (duplicatedCookies) return ended;
  if (!accessToken) return mayRenew ? { ok: false, reason: 'renewable' } : ended;
  const verified = await verifyAccessToken(accessToken, now);
  if (!verified.ok) return verified.reason === 'expired' ? { ok: false, reason: 'renewable' } : ended;
  const { sessionId, userId } = verified.claims;
  const lookup = await findActiveSession(sessionId, userId, now);
  if (lookup.ok) return { ok: true, user: lookup.user, session: lookup.session };
  // Told only to the holder of this session's own valid token, and only for its own row.
  if (lookup.reason === 'missing' || lookup.reason === 'wrong_user') return ended;
  const signedOutReason = signedOutReasonFor(
    lookup.reason === 'revoked' ? { state: 'revoked', revokedReason: lookup.revokedReason } : { state: lookup.reason },
  );
  const timedOut =
    lookup.reason === 'idle_expired' || lookup.reason === 'absolute_expired'
      ? { session: { id: sessionId, userId }, state: lookup.reason }
      : undefined;
  return { ...ended, ...(signedOutReason ? { signedOutReason } : {}), ...(timedOut ? { timedOut } : {}) };
});

async function thisSessionRequest(): Promise<SessionRequest> {
  return { cookies: await cookies(), headers: await headers() };
}

/** This request's parts, judged as of its arrival like `verifySession`'s, so both tiers agree within a request. */
async function thisLiveSessionRequest(): Promise<LiveSessionRequest> {
  const [jar, requestHeaders] = await Promise.all([cookies(), headers()]);
  const names = cookieNames();
  return {
    accessToken: jar.get(names.access)?.value,
    mayRenew: jar.has(names.hint),
    now: judgedAt(requestHeaders),
    duplicatedCookies: hasDuplicatedSessionCookies(requestHeaders),
  };
}
