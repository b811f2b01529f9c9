/**
 * Hands a session to the browser: signs a fresh access token and prepares it, plus the refresh token
 * when there is a new one, for whichever cookie jar the caller holds (a route handler's response or a
 * server action's `cookies()`). Login, refresh and password change all finish here.
 */
import { setAccessTokenCookie, setRefreshTokenCookie, type CookieWriter } from '../proxy-safe/cookies';
import { signAccessToken } from '../proxy-safe/access-token';

export type SessionGrant = {
  user: { id: string; email: string };
  sessionId: string;
  /** Absent for a concurrent sibling refresh: the browser keeps the winner's refresh cookie. */
  refreshToken?: { token: string; expiresAt: Date };
};

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
