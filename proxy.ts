/**
 * The proxy (Next.js 16's middleware): a cheap, stateless first gate in front of protected pages and
 * APIs. It verifies the access token's signature and claims with jose and nothing else: no database,
 * no network (tests/unit/proxy.test.ts fails if anything in its module graph touches Prisma).
 * That is the whole point of a stateless token, and its price: after logout a copied access token
 * still passes here until it expires. Pages and actions check again through lib/dal.ts; sensitive
 * actions also re-read the session row.
 */
import { NextResponse, type NextRequest } from 'next/server';
import { cookieNames } from './lib/proxy-safe/cookies';
import { signedOutRedirect } from './lib/proxy-safe/redirects';
import { verifyAccessToken } from './lib/proxy-safe/access-token';

export async function proxy(request: NextRequest) {
  const names = cookieNames();
  const token = request.cookies.get(names.access)?.value;
  if (token && (await verifyAccessToken(token)).ok) return NextResponse.next();

  const { pathname, search } = request.nextUrl;
  if (pathname.startsWith('/api/')) {
    return NextResponse.json(
      { error: 'Not signed in' },
      { status: 401, headers: { 'Cache-Control': 'no-store', 'WWW-Authenticate': 'Cookie realm="app"' } },
    );
  }
  // Server actions are POSTs to page paths. They answer for themselves with a typed result (the
  // checked path in lib/sensitive-actions/checked-action.ts); a redirect here would only break the client's retry.
  if (request.method !== 'GET' && request.method !== 'HEAD') return NextResponse.next();

  const target = signedOutRedirect(`${pathname}${search}`, request.cookies.has(names.hint));
  return NextResponse.redirect(new URL(target, request.url), 307);
}

export const config = {
  matcher: [
    '/dashboard/:path*',
    '/settings/:path*',
    '/payments/:path*',
    '/sessions/:path*',
    '/activity/:path*',
    '/api/((?!auth/).*)',
  ],
};
