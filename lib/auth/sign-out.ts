/**
 * Logout ends the session row at once (ASVS 7.4.1): its refresh token is dead from this moment, while a
 * copied access token still reads until `exp` (sensitive actions re-read the row). It ends every session
 * the browser names (the access token's and each refresh cookie's), so a planted cookie cannot keep the
 * victim's session live. Idempotent. Why: docs/decisions/0059-sign-out.md.
 */
import 'server-only';
import { recordSecurityEvent } from '../audit/security-events';
import type { RequestMeta } from '../request/request-meta';
import { db } from '../db/client';
import { endSessionsTransaction } from '../session/session-store';
import { hashRefreshToken, isWellFormedRefreshToken } from '../tokens/refresh-token';
import { verifyAccessToken } from '../tokens/access-token';

export type SignOutCredentials = {
  /** Every refresh-cookie value the request carried (one, normally; more if a copy was planted). */
  refreshToken?: string | readonly string[];
  /** Every access-cookie value: unprefixed (COOKIE_SECURE=false), a second one can be planted too. */
  accessToken?: string | readonly string[];
};

export async function signOut(presented: SignOutCredentials, meta: RequestMeta, now = new Date()): Promise<void> {
  for (const session of await findSessionsToEnd(presented, now)) {
    // The revocation and its `logout` event commit together; an already-ended session writes neither.
    // Revocation-list mode: this process refuses the signed-out token at once, the others within the bound.
    await endSessionsTransaction(async (tx, end) => {
      if ((await end({ id: session.id }, 'logout', now)) === 0) return;
      await recordSecurityEvent({ type: 'logout', userId: session.userId, sessionId: session.id, meta, now }, tx);
    });
  }
}

type SessionRef = { id: string; userId: string };

function asList(values: string | readonly string[] | undefined): readonly string[] {
  return typeof values === 'string' ? [values] : (values ?? []);
}

const MAX_REFRESH_VALUES = 16;

/**
 * The refresh cookie names the session even when the access token has expired; the access token
 * names it when the refresh cookie is missing or was planted. Both count.
 */
async function findSessionsToEnd(presented: SignOutCredentials, now: Date): Promise<SessionRef[]> {
  const found = new Map<string, SessionRef>();
  for (const token of new Set(asList(presented.accessToken).slice(0, MAX_REFRESH_VALUES))) {
    const verified = await verifyAccessToken(token, now);
    if (verified.ok) found.set(verified.claims.sessionId, { id: verified.claims.sessionId, userId: verified.claims.userId });
  }
  const refreshTokens = asList(presented.refreshToken);
  // Bounded: a header stuffed with values must not buy hundreds of lookups. No browser sends more
  // than a handful, and the access token still names the person's own session.
  for (const token of new Set(refreshTokens.slice(0, MAX_REFRESH_VALUES))) {
    if (!isWellFormedRefreshToken(token)) continue;
    const row = await db().refreshToken.findUnique({
      where: { tokenHash: hashRefreshToken(token) },
      select: { session: { select: { id: true, userId: true } } },
    });
    if (row) found.set(row.session.id, row.session);
  }
  return [...found.values()];
}
