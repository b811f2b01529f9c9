/**
 * The stateful tier of the data access layer (re-exported by lib/dal.ts): a valid access token *and*
 * a live session row for the same user. It refuses a revoked, idle- or absolute-expired session, which
 * is what a copied access token cannot get past after logout. It takes the request's parts explicitly
 * (no `cookies()`), so the checked path for sensitive actions can be tested without a Next.js server.
 */
import 'server-only';
import { findActiveSession, type SessionRecord } from './session';
import { verifyAccessToken } from './tokens/access';

export type ActiveSessionCheck =
  | { ok: true; user: { id: string; email: string }; session: SessionRecord }
  /** `renewable`: the access token expired (or the browser dropped it and the hint says a refresh may work). */
  | { ok: false; reason: 'renewable' | 'ended' };

export async function checkActiveSession(request: {
  accessToken: string | undefined;
  mayRenew: boolean;
  now: Date;
}): Promise<ActiveSessionCheck> {
  if (!request.accessToken) return { ok: false, reason: request.mayRenew ? 'renewable' : 'ended' };
  const verified = await verifyAccessToken(request.accessToken, request.now);
  if (!verified.ok) return { ok: false, reason: verified.reason === 'expired' ? 'renewable' : 'ended' };
  const lookup = await findActiveSession(verified.claims.sessionId, verified.claims.userId, request.now);
  if (!lookup.ok) return { ok: false, reason: 'ended' };
  return { ok: true, user: lookup.user, session: lookup.session };
}
