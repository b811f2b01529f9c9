/**
 * Hands a session to the browser: signs a fresh access token and prepares it, plus the refresh token
 * when there is a new one, for whichever cookie jar the caller holds (a route handler's response or a
 * server action's `cookies()`). Login, refresh and password change all finish here. The access token's
 * `exp` and its cookie's Max-Age never pass the session's own deadline.
 */
import { setAccessTokenCookie, setRefreshTokenCookie, type CookieWriter } from './cookies';
import { signAccessToken } from './access-token';
import type { SessionUser } from '../auth/user';
import { getConfig } from '../config/config';

export type SessionGrant = {
  user: SessionUser;
  sessionId: string;
  /** Absent for a concurrent sibling refresh: the browser keeps the winner's refresh cookie. */
  refreshToken?: { token: string; expiresAt: Date };
  /** The session's deadlines, when the caller has them (a refresh's answer carries its timeline). */
  timeline?: { idleExpiresAt: Date; absoluteExpiresAt: Date };
  /**
   * A DBSC-bound session (docs/decisions/0103-dbsc-endpoints.md): the access cookie is the bound
   * credential, and goes a margin before its token expires, so the browser refreshes it first and no
   * request carries a token that is present but expired.
   */
  dbscBound?: boolean;
};

/** A tenth of the access-token lifetime, at most 15 s: a 300 s token's bound cookie lives 285 s. */
export function boundCookieMarginSeconds(): number {
  return Math.min(15, Math.ceil(getConfig().ACCESS_TOKEN_TTL_SECONDS / 10));
}

/**
 * The earliest moment the session is over: its absolute deadline (the refresh token expires with the
 * session) and, when known, its idle deadline. An access token signed now must not outlive either.
 */
function sessionDeadline(grant: SessionGrant): Date | undefined {
  const deadlines = [grant.refreshToken?.expiresAt, grant.timeline?.absoluteExpiresAt, grant.timeline?.idleExpiresAt]
    .filter((d): d is Date => d instanceof Date)
    .map((d) => d.getTime());
  return deadlines.length > 0 ? new Date(Math.min(...deadlines)) : undefined;
}

export type SessionCookies = {
  /** The new access token's `iat` and `exp`: what a page needs to draw the token's lifetime. */
  accessTokenIssuedAt: Date;
  accessTokenExpiresAt: Date;
  writeTo(jar: CookieWriter): void;
};

export async function issueSessionCookies(grant: SessionGrant, now = new Date()): Promise<SessionCookies> {
  const access = await signAccessToken(
    { userId: grant.user.id, email: grant.user.email, sessionId: grant.sessionId },
    now,
    // A token that outlived its session would read (and, in revocation-list mode, not be listed)
    // after the session timed out: its `exp`, and so the cookie's Max-Age, stop at the deadline.
    sessionDeadline(grant),
  );
  return {
    accessTokenIssuedAt: access.issuedAt,
    accessTokenExpiresAt: access.expiresAt,
    writeTo(jar) {
      const cookieEnd = grant.dbscBound ? new Date(access.expiresAt.getTime() - boundCookieMarginSeconds() * 1000) : access.expiresAt;
      setAccessTokenCookie(jar, access.token, cookieEnd, now);
      if (grant.refreshToken) setRefreshTokenCookie(jar, grant.refreshToken.token, grant.refreshToken.expiresAt, now);
    },
  };
}
