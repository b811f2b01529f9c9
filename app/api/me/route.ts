import type { NextRequest } from 'next/server';
import { verifySession } from '@/lib/dal';
import { json, notSignedIn } from '@/lib/route/responses';
import { routeHandler } from '@/lib/route/route-handler';

/**
 * GET /api/me: who the access token says you are, from the verified token alone (no database). This
 * is the stateless read: after logout, a copied token still answers here until it expires. With
 * ACCESS_TOKEN_CHECK=revocation-list it is refused once its session is revoked, from a cached list
 * (lib/session/revocation-list.ts), still with no query per request.
 * The proxy does not run for APIs (proxy.ts matches pages only): this handler's check through the
 * data access layer is the gate, as it would have to be anyway (CVE-2025-29927 let requests skip the proxy).
 */
export const GET = routeHandler({ crossOrigin: 'allowed' }, async (request: NextRequest) => {
  // The request's own cookies and headers: next/headers' `cookies()` would read the same, through
  // Next.js's tracing, at about a tenth of this route's CPU (docs/benchmarks.md, the profiles).
  const session = await verifySession({ cookies: request.cookies, headers: request.headers });
  if (!session) return notSignedIn();
  return json({
    user: { id: session.userId, email: session.email },
    session: { id: session.sessionId, accessTokenExpiresAt: session.expiresAt.toISOString() },
  });
});
