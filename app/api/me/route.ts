import type { NextRequest } from 'next/server';
import { cookieNames } from '@/lib/cookies';
import { json, jsonError } from '@/lib/http';
import { NOT_SIGNED_IN } from '@/lib/messages';
import { verifyAccessToken } from '@/lib/tokens/access';

/**
 * GET /api/me: who the access token says you are, from the verified token alone (no database). This
 * is the stateless read: after logout, a copied token still answers here until it expires.
 * The proxy checked the token already; this handler checks again, because the proxy is a first gate,
 * never the only one (CVE-2025-29927).
 */
export async function GET(req: NextRequest) {
  const token = req.cookies.get(cookieNames().access)?.value;
  const verified = token ? await verifyAccessToken(token) : null;
  if (!verified?.ok) return jsonError(401, NOT_SIGNED_IN);
  const { userId, email, sessionId, expiresAt } = verified.claims;
  return json({
    user: { id: userId, email },
    session: { id: sessionId, accessTokenExpiresAt: expiresAt.toISOString() },
  });
}
