import type { NextRequest } from 'next/server';
import { verifyLiveSession } from '@/lib/dal';
import { json, notSignedIn } from '@/lib/route/responses';
import { routeHandler } from '@/lib/route/route-handler';
import { cookieNames } from '@/lib/tokens/cookies';
import { hasDuplicatedSessionCookies } from '@/lib/tokens/duplicate-cookies';

/**
 * GET /api/me/active: the stateful read, beside GET /api/me's stateless one. Besides verifying the
 * access token it loads the session row through the data access layer (`verifyLiveSession`, the
 * check every sensitive action makes), so a copied token stops answering here the moment its session
 * ends (logout, reuse detection, password change), not when the token expires. 200 with the user and
 * the session's deadlines, else 401. It reads only the caller's own session and changes nothing.
 * `npm run bench` measures what this lookup costs next to /api/me (docs/benchmarks.md).
 */
export const GET = routeHandler({ crossOrigin: 'allowed' }, async (req: NextRequest) => {
  const check = await verifyLiveSession({
    accessToken: req.cookies.get(cookieNames().access)?.value,
    mayRenew: false,
    now: new Date(),
    duplicatedCookies: hasDuplicatedSessionCookies(req.headers),
  });
  if (!check.ok) return notSignedIn();
  const { session, user } = check;
  return json({
    user,
    session: {
      id: session.id,
      lastActiveAt: session.lastActiveAt.toISOString(),
      expiresAt: session.expiresAt.toISOString(),
    },
  });
});
