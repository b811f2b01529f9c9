/**
 * The proxy (Next.js 16's middleware) runs in front of every page, and of nothing else: not the APIs,
 * not Next's static files. Three cheap, stateless steps, with no database and no network:
 * 1. security headers on every page: a Content-Security-Policy with a fresh nonce, HSTS over https;
 * 2. a state-changing request from another origin is refused (ASVS 3.5.3), and so is a post that is no
 *    action of this page or is too large, before Next.js parses it;
 * 3. a protected page without a valid access token goes to renewal or to sign-in.
 * It is never the only gate: pages and actions check again through lib/dal.ts. What it may import is
 * tests/unit/boundaries.test.ts's PROXY_ALLOWLIST. Why: docs/decisions/0020-the-proxy-first-gate.md.
 */
import { NextResponse, type NextRequest } from 'next/server';
import { clearSessionCookies, cookieNames } from './lib/tokens/cookies';
import { hasDuplicatedSessionCookies } from './lib/tokens/duplicate-cookies';
import { signedOutRedirect } from './lib/request/redirects';
import { checkAccessTokenForRead } from './lib/tokens/read-check';
import { isScriptFetch } from './lib/request/fetch-metadata';
import { DECLINED_SPECULATIVE_REQUEST, isSpeculativeRequest } from './lib/request/speculative-request';
import { isSameOriginRequest, isServedOverHttps } from './lib/request/origin';
import { contentSecurityPolicy, createNonce, STRICT_TRANSPORT_SECURITY } from './lib/request/security-headers';
import { checkActionRequest, type ActionRequestCheck } from './lib/request/server-actions';
import { NON_PAGE_CONTENT_SECURITY_POLICY } from './lib/request/static-headers.js';
import { arrivalStamp, REQUEST_ARRIVAL_HEADER } from './lib/request/request-context';

/**
 * Whether this build has the benchmark's routes (app/probe/): fixed when `next build` runs, by
 * next.config.js, so a default build has none of the lines that depend on it, whatever the server's
 * environment says (docs/decisions/0021-benchmark-routes-only-in-a-bench-build.md).
 */
const BENCH_ROUTES = process.env.BENCH_ROUTES === '1';

/**
 * Pages that need a signed-in visitor. Every other page is public but still gets the headers. In a
 * bench build, `/probe/signed-in` (`{status:'ok'}` only) measures this proxy's work on such a page.
 */
const PROTECTED_PAGES = ['/dashboard', '/settings', '/payments', '/sessions', '/activity', '/lab', ...(BENCH_ROUTES ? ['/probe/signed-in'] : [])];

const isProtectedPage = (pathname: string) =>
  PROTECTED_PAGES.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));

const isSafeMethod = (method: string) => method === 'GET' || method === 'HEAD';

/**
 * The largest body a post to a page (a server action: a small form) may declare. Next.js would read
 * up to its own limit and answer an oversized action with a logged error; a declared length over this
 * is refused here with 413 before any of it is read. next.config.js sets Next's own limits (the
 * action body and the copy made for the proxy) to the same size for bodies sent without a length.
 */
export const PAGE_POST_MAX_BYTES = 64 * 1024;

export async function proxy(request: NextRequest) {
  // A bench build's measure of running any proxy at all: passed on untouched (app/probe/pass-through/).
  if (BENCH_ROUTES && request.nextUrl.pathname === '/probe/pass-through') return NextResponse.next();
  const https = isServedOverHttps(request.headers);
  const response = await route(request);
  if (https) response.headers.set('Strict-Transport-Security', STRICT_TRANSPORT_SECURITY);
  // The proxy's own answers (refusals, redirects) are no page: a policy that allows nothing.
  if (!response.headers.has('Content-Security-Policy')) {
    response.headers.set('Content-Security-Policy', NON_PAGE_CONTENT_SECURITY_POLICY);
  }
  return response;
}

async function route(request: NextRequest): Promise<NextResponse> {
  const { pathname, search } = request.nextUrl;

  if (!isSafeMethod(request.method) && !isSameOriginRequest(request.headers)) {
    return new NextResponse('Cross-origin request refused', {
      status: 403,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
    });
  }
  if (!isSafeMethod(request.method) && Number(request.headers.get('content-length') ?? 0) > PAGE_POST_MAX_BYTES) {
    return bodyTooLarge();
  }

  // A request with a body is judged as of the moment its body had arrived, not its headers: a client
  // holding the body back must not keep a token alive past its expiry. The hook's own stamp for it is
  // written when the body ends, which the page never sees (its headers are the copy forwarded from
  // here), so the proxy waits for its copy of the body, checks the token after it, and hands the page
  // that instant (`arrivedAt`). A copy cut off at the limit (a body sent without a length) is too large.
  // The one copy read here is also what the action check parses.
  let arrivedAt: number | undefined;
  if (!isSafeMethod(request.method)) {
    const body = await request.clone().arrayBuffer();
    if (body.byteLength >= PAGE_POST_MAX_BYTES) return bodyTooLarge();
    arrivedAt = Date.now();
    if (request.method === 'POST') {
      const action = await checkActionRequest(pathname, new Request(request.url, { method: 'POST', headers: request.headers, body }));
      if (!action.ok) return refusedAction(action);
    }
  }

  if (isProtectedPage(pathname)) {
    const names = cookieNames();
    // A session cookie sent twice (lib/tokens/duplicate-cookies.ts): Next would read the last
    // copy, which may be another account's. Not signed in, and the app's cookies are cleared below.
    const conflicting = hasDuplicatedSessionCookies(request.headers);
    const token = request.cookies.get(names.access)?.value;
    const signedIn = !conflicting && token !== undefined && (await checkAccessTokenForRead(token)).ok;
    if (!signedIn) {
      // Server actions (same-origin POSTs to page paths) answer for themselves with a typed result (the
      // checked path in lib/sensitive-actions/checked-action.ts); a redirect would only break the
      // client's renew-and-retry.
      if (isSafeMethod(request.method)) {
        // Next's router fetching a page (an RSC payload or a prefetch) is not a navigation. Redirected,
        // the fetch would reach /login still carrying Next's RSC headers, and Next answers that with a
        // redirect of its own to `/login?next=…&_rsc=…`: its internal cache-busting query, which then
        // surfaces in the address bar and history. A prefetch would also rotate the
        // refresh token through the renewal hop for a page nobody opened. So a script's fetch gets a
        // plain 401: Next's router answers any response that is not an RSC payload with a full
        // navigation to the same address, and that navigation gets the redirect below.
        if (isScriptFetch(request.headers)) {
          const refused = new NextResponse(null, { status: 401, headers: { 'Cache-Control': 'no-store' } });
          if (conflicting) clearSessionCookies(refused.cookies);
          return refused;
        }
        // A prefetch or prerender is declined, not redirected: the browser follows a prefetch's
        // redirects, and the hop would be asked to rotate for an answer it may discard
        // (lib/request/speculative-request.ts). The person's own navigation renews.
        if (isSpeculativeRequest(request.headers)) return new NextResponse(null, DECLINED_SPECULATIVE_REQUEST);
        // Conflicting cookies go to sign-in, not to renewal (which refuses them too).
        const target = signedOutRedirect(`${pathname}${search}`, !conflicting && request.cookies.has(names.hint));
        // Never stored: a cached redirect replayed later would send the browser to the hop on its own.
        const redirect = NextResponse.redirect(new URL(target, request.url), 307);
        redirect.headers.set('Cache-Control', 'no-store');
        if (conflicting) clearSessionCookies(redirect.cookies);
        return redirect;
      }
    }
  }

  return withContentSecurityPolicy(request, arrivedAt);
}

function bodyTooLarge(): NextResponse {
  return new NextResponse('Request body too large', {
    status: 413,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
  });
}

/**
 * A post to a page that is no action of that page, or whose body does not decode
 * (lib/request/server-actions.ts): a plain answer, before Next.js parses it and logs an error. An
 * unknown action carries Next's own marker, so the client router reports it as Next.js would (a page
 * left open across a deployment that removed the action).
 */
function refusedAction(check: Extract<ActionRequestCheck, { ok: false }>): NextResponse {
  const unknown = check.reason === 'unknown_action';
  return new NextResponse(unknown ? 'Server Action unavailable.' : 'Invalid Server Action request.', {
    status: check.status,
    headers: {
      'Content-Type': 'text/plain; charset=utf-8',
      'Cache-Control': 'no-store',
      ...(unknown ? { 'x-nextjs-action-not-found': '1' } : {}),
    },
  });
}

/**
 * Next.js reads the nonce from the request's Content-Security-Policy header while rendering and puts
 * it on every script and style it emits; the browser enforces the copy on the response. A header of
 * the same name sent by the client is overwritten, so it cannot choose the nonce.
 */
function withContentSecurityPolicy(request: NextRequest, arrivedAt?: number): NextResponse {
  const policy = contentSecurityPolicy(createNonce(), {
    https: isServedOverHttps(request.headers),
    development: process.env.NODE_ENV === 'development',
  });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('Content-Security-Policy', policy);
  const stamp = arrivedAt === undefined ? null : arrivalStamp(arrivedAt);
  if (stamp) requestHeaders.set(REQUEST_ARRIVAL_HEADER, stamp);
  else if (arrivedAt !== undefined) requestHeaders.delete(REQUEST_ARRIVAL_HEADER);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('Content-Security-Policy', policy);
  return response;
}

export const config = {
  // Every page; not the APIs (they check for themselves, see above) nor Next's static files, which carry no markup.
  matcher: ['/((?!api/|_next/static/|_next/image|favicon.ico).*)'],
};
