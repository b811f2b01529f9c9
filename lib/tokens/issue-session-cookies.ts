/**
 * Hands a session to the browser: signs a fresh access token and prepares it, plus the refresh token
 * when there is a new one, for whichever cookie jar the caller holds (a route handler's response or a
 * server action's `cookies()`). Login, refresh and password change all finish here. The access token's
 * `exp` and its cookie's Max-Age never pass the session's own deadline.
 */
import { setAccessTokenCookie, setRefreshTokenCookie, type CookieWriter } from './cookies';
import { signAccessToken } from './access-token';
import type { SessionUser } from '../auth/user';

export type SessionGrant = {
  user: SessionUser;
  sessionId: string;
  /** Absent for a concurrent sibling refresh: the browser keeps the winner's refresh cookie. */
  refreshToken?: { token: string; expiresAt: Date };
  /** The session's deadlines, when the caller has them (a refresh's answer carries its timeline). */
  timeline?: { idleExpiresAt: Date; absoluteExpiresAt: Date };
};

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
      setAccessTokenCookie(jar, access.token, access.expiresAt, now);
      if (grant.refreshToken) setRefreshTokenCookie(jar, grant.refreshToken.token, grant.refreshToken.expiresAt, now);
    },
  };
}
