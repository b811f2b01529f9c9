import { getSession } from '@/lib/dal';
import { json, jsonError } from '@/lib/http/responses';
import { NOT_SIGNED_IN } from '@/lib/messages';

/**
 * GET /api/me: who the access token says you are, from the verified token alone (no database). This
 * is the stateless read: after logout, a copied token still answers here until it expires. With
 * ACCESS_TOKEN_CHECK=revocation-list it is refused once its session is revoked, from a cached list
 * (lib/session/revocation-list.ts), still with no query per request.
 * The proxy checked the token already; this handler checks again through the data access layer,
 * because the proxy is a first gate, never the only one (CVE-2025-29927).
 */
export async function GET() {
  const session = await getSession();
  if (!session) return jsonError(401, NOT_SIGNED_IN);
  return json({
    user: { id: session.userId, email: session.email },
    session: { id: session.sessionId, accessTokenExpiresAt: session.expiresAt.toISOString() },
  });
}
