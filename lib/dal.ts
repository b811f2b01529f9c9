/**
 * The data access layer: the one module pages, route handlers and server actions ask "who is this?".
 * The proxy is a first gate and never the only one (CVE-2025-29927 let requests skip middleware), so
 * everything that needs a user calls one of these again.
 *
 * Two tiers, the trade-off this app demonstrates:
 * - Stateless: `getSession` / `requireSession` verify the access token's signature and claims, with no
 *   database. Enough for read-only pages and APIs, and still true for a copied token after logout
 *   until the token expires. With ACCESS_TOKEN_CHECK=revocation-list they also refuse a token whose
 *   session was revoked, from an in-memory list reloaded at most every 500 ms
 *   (lib/session/revocation-list.ts): no database round trip per request, but no longer stateless.
 * - Stateful: `checkActiveSession` also loads the session row and refuses a revoked, idle- or
 *   absolute-expired one. Sensitive actions use it, through lib/sensitive-actions/checked-action.ts.
 */
import 'server-only';
import { cache } from 'react';
import { cookies, headers } from 'next/headers';
import { db } from './db/client';
import { verifyAccessToken, type AccessTokenClaims } from './tokens/access-token';
import { checkAccessTokenForRead } from './tokens/read-check';
import { judgedAt, type HeaderReader } from './request/request-context';
import { revocationList } from './session/revocation-list';
import { cookieNames } from './tokens/cookies';
import { hasDuplicatedSessionCookies } from './tokens/duplicate-cookies';
import { signedOutRedirect } from './request/redirects';
import { sessionState, type SessionState } from './session/session-policy';
import { signedOutReasonFor, type SignedOutReason } from './session/signed-out-reason';
import type { SessionRecord } from './session/session-store';
import type { SessionUser } from './auth/user';

/** What the layer reads from a request's cookies; `await cookies()` and `NextRequest.cookies` both fit. */
export type CookieReader = { get(name: string): { value: string } | undefined; has(name: string): boolean };

// ---------------------------------------------------------------------------------------------------
// Stateless tier: the signed token alone.

/**
 * The verified claims of the access token in `jar`, or null. Verified here, not merely decoded: a page
 * must not trust a token because the proxy let the request through. The same read check as the
 * proxy's, so both tiers agree on the mode (lib/tokens/read-check.ts).
 */
export async function readSessionClaims(jar: CookieReader, now = new Date()): Promise<AccessTokenClaims | null> {
  const token = jar.get(cookieNames().access)?.value;
  if (!token) return null;
  const checked = await checkAccessTokenForRead(token, now, revocationList());
  return checked.ok ? checked.claims : null;
}

/**
 * The claims of a request's access token as of the request's arrival (lib/request/request-context.ts
 * `judgedAt`), when the proxy verified it: a token that runs out while the page renders does not turn
 * the render into a redirect. `now` is for tests.
 * A request carrying a session cookie twice reads as signed out: `jar` keeps only the last copy, and
 * nothing says whose it is (lib/tokens/duplicate-cookies.ts).
 */
export async function readRequestSessionClaims(
  jar: CookieReader,
  requestHeaders: HeaderReader,
  now = new Date(),
): Promise<AccessTokenClaims | null> {
  if (hasDuplicatedSessionCookies(requestHeaders)) return null;
  return readSessionClaims(jar, judgedAt(requestHeaders, now));
}

/** The verified claims of this request's access token, or null. Verified once per request (React `cache`). */
export const getSession = cache(
  async (): Promise<AccessTokenClaims | null> => readRequestSessionClaims(await cookies(), await headers()),
);

/** For pages: the claims, or a redirect to renewal or sign-in that comes back to `path`. */
export async function requireSession(path: string): Promise<AccessTokenClaims> {
  const claims = await getSession();
  if (claims) return claims;
  const mayRenew = (await cookies()).has(cookieNames().hint);
  // Imported here, not at the top: next/navigation loads React's client context, which plain Node
  // under the react-server condition (the unit tests) cannot; inside Next it is the same module.
  const { redirect } = await import('next/navigation');
  return redirect(signedOutRedirect(path, mayRenew));
}

// ---------------------------------------------------------------------------------------------------
// Stateful tier: the token *and* a live session row.

export type SessionLookup =
  | { ok: true; session: SessionRecord; user: SessionUser }
  | { ok: false; reason: 'missing' | 'wrong_user' | Exclude<SessionState, 'active' | 'revoked'> }
  /** `revokedReason`: why the row was revoked (lib/session/session-store.ts `RevocationReason`). */
  | { ok: false; reason: 'revoked'; revokedReason: string | null };

/**
 * The session-row check behind every sensitive action: the row must exist, belong to the token's user,
 * and be neither revoked nor idle- nor absolute-expired. A live JWT for a dead session fails here.
 */
export async function findActiveSession(sessionId: string, userId: string, now = new Date()): Promise<SessionLookup> {
  const row = await db().session.findUnique({
    where: { id: sessionId },
    include: { user: { select: { id: true, email: true } } },
  });
  if (!row) return { ok: false, reason: 'missing' };
  if (row.userId !== userId) return { ok: false, reason: 'wrong_user' };
  const state = sessionState(row, now);
  if (state === 'revoked') return { ok: false, reason: state, revokedReason: row.revokedReason };
  if (state !== 'active') return { ok: false, reason: state };
  const { user, ...session } = row;
  return { ok: true, session, user };
}

export type ActiveSessionCheck =
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
 * A valid access token and a live session row for the same user. It takes the request's parts
 * explicitly (no `cookies()`), so the checked path can be tested without a Next.js server.
 */
export async function checkActiveSession(request: {
  accessToken: string | undefined;
  mayRenew: boolean;
  now: Date;
  /** The request carried a session cookie twice (lib/tokens/duplicate-cookies.ts): no session is trusted. */
  duplicatedCookies?: boolean;
}): Promise<ActiveSessionCheck> {
  const ended = { ok: false, reason: 'ended' } as const;
  if (request.duplicatedCookies) return ended;
  if (!request.accessToken) return request.mayRenew ? { ok: false, reason: 'renewable' } : ended;
  const verified = await verifyAccessToken(request.accessToken, request.now);
  if (!verified.ok) return verified.reason === 'expired' ? { ok: false, reason: 'renewable' } : ended;
  const lookup = await findActiveSession(verified.claims.sessionId, verified.claims.userId, request.now);
  if (!lookup.ok) {
    // Told only to the holder of this session's own valid token, and only for its own row.
    if (lookup.reason === 'missing' || lookup.reason === 'wrong_user') return ended;
    const signedOutReason = signedOutReasonFor(
      lookup.reason === 'revoked' ? { state: 'revoked', revokedReason: lookup.revokedReason } : { state: lookup.reason },
    );
    const timedOut =
      lookup.reason === 'idle_expired' || lookup.reason === 'absolute_expired'
        ? { session: { id: verified.claims.sessionId, userId: verified.claims.userId }, state: lookup.reason }
        : undefined;
    return { ...ended, ...(signedOutReason ? { signedOutReason } : {}), ...(timedOut ? { timedOut } : {}) };
  }
  return { ok: true, user: lookup.user, session: lookup.session };
}

/**
 * For pages that read the account's own records from the database anyway (/sessions, /activity): the
 * claims, and whether the session row is still live. Statelessness saves nothing on such a page, since
 * it queries regardless, so it checks the row too: a copied access token of a revoked session sees
 * "your session has ended" instead of the account's devices, IP addresses and history.
 */
export async function requireLiveSessionForPage(
  path: string,
  now = new Date(),
): Promise<{ claims: AccessTokenClaims; live: boolean }> {
  const claims = await requireSession(path);
  const lookup = await findActiveSession(claims.sessionId, claims.userId, now);
  return { claims, live: lookup.ok };
}
