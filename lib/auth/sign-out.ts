/**
 * Logout ends the session row at once (ASVS 7.4.1): its refresh token is dead from this moment. The
 * access token in a copied cookie stays cryptographically valid until `exp`: by design, the proxy
 * never asks the database. Read-only pages still open with it; sensitive actions do not (they re-read
 * this row). Idempotent: signing out twice, or with no session, succeeds.
 */
import 'server-only';
import { recordSecurityEvent } from '../audit/security-events';
import type { RequestMeta } from '../http/request-meta';
import { db } from '../db/client';
import { revokeSession } from '../session/session-store';
import { hashRefreshToken, isWellFormedRefreshToken } from '../session/refresh-token';
import { verifyAccessToken } from '../proxy-safe/access-token';

export async function signOut(
  presented: { refreshToken?: string; accessToken?: string },
  meta: RequestMeta,
  now = new Date(),
): Promise<void> {
  const session = await findSessionToEnd(presented, now);
  if (!session) return;
  if (await revokeSession(session.id, 'logout', now)) {
    await recordSecurityEvent({ type: 'logout', userId: session.userId, sessionId: session.id, meta, now });
  }
}

/** The refresh cookie names the session even when the access token has expired; the access token is the fallback. */
async function findSessionToEnd(presented: { refreshToken?: string; accessToken?: string }, now: Date) {
  if (presented.refreshToken && isWellFormedRefreshToken(presented.refreshToken)) {
    const token = await db().refreshToken.findUnique({
      where: { tokenHash: hashRefreshToken(presented.refreshToken) },
      select: { session: { select: { id: true, userId: true } } },
    });
    if (token) return token.session;
  }
  if (presented.accessToken) {
    const verified = await verifyAccessToken(presented.accessToken, now);
    if (verified.ok) return { id: verified.claims.sessionId, userId: verified.claims.userId };
  }
  return null;
}
