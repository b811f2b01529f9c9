/**
 * Methods a path does not serve, answered by the server's own hook (lib/request/request-context-hook.ts,
 * from instrumentation.ts) before Next.js sees them: `405 Method Not Allowed` with `Allow` (RFC 9110
 * 15.5.6), the security headers, and no log line, where Next.js answered TRACE with a logged 500 and the
 * others inconsistently. Why here and not in proxy.ts: docs/decisions/0043-methods-refused-before-nextjs.md.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NON_PAGE_CONTENT_SECURITY_POLICY, STATIC_SECURITY_HEADERS } from './static-headers.js';
import { isServedOverHttps } from './origin';
import { STRICT_TRANSPORT_SECURITY } from './security-headers';
import type { HeaderReader } from './request-context';

/**
 * What each route handler serves, as `Allow` lists them. Next.js answers `OPTIONS` itself for route
 * handlers, and `HEAD` by running `GET` (`/api/auth/refresh` answers HEAD with its own 405, so it is
 * not listed there). tests/unit/request-edge.test.ts fails when a route file's exports disagree.
 */
export const ROUTE_HANDLER_METHODS: Readonly<Record<string, readonly string[]>> = {
  '/api/auth/dbsc/refresh': ['OPTIONS', 'POST'],
  '/api/auth/dbsc/register': ['OPTIONS', 'POST'],
  '/api/auth/login': ['OPTIONS', 'POST'],
  '/api/auth/logout': ['OPTIONS', 'POST'],
  '/api/auth/refresh': ['GET', 'OPTIONS', 'POST'],
  '/api/auth/signed-out-notice': ['OPTIONS', 'POST'],
  '/api/auth/signup': ['OPTIONS', 'POST'],
  '/api/health': ['GET', 'HEAD', 'OPTIONS'],
  '/api/me': ['GET', 'HEAD', 'OPTIONS'],
  '/api/me/active': ['GET', 'HEAD', 'OPTIONS'],
  // The benchmark's routes (app/probe/), only in a build made with BENCH_ROUTES=1 (next.config.js).
  ...(process.env.BENCH_ROUTES === '1'
    ? { '/probe/pass-through': ['GET', 'HEAD', 'OPTIONS'], '/probe/public': ['GET', 'HEAD', 'OPTIONS'], '/probe/signed-in': ['GET', 'HEAD', 'OPTIONS'] }
    : {}),
};

/** Pages (and everything else outside /api: static files, the 404 page): read, and post a server action. */
export const PAGE_METHODS: readonly string[] = ['GET', 'HEAD', 'POST'];

/**
 * Any path under /api that is not a route: Next.js answers it 404 (app/api/[...path]/route.ts), for
 * any method it can parse. Only the forbidden ones are refused here.
 */
const UNKNOWN_API_METHODS: readonly string[] = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'];

function pathnameOf(url: string | undefined): string {
  const path = (url ?? '/').split('?')[0];
  // Next.js matches routes with and without a trailing slash alike (it redirects one to the other).
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/** The methods `url` serves. */
export function allowedMethods(url: string | undefined): readonly string[] {
  const path = pathnameOf(url);
  if (Object.hasOwn(ROUTE_HANDLER_METHODS, path)) return ROUTE_HANDLER_METHODS[path];
  if (path === '/api' || path.startsWith('/api/')) return UNKNOWN_API_METHODS;
  return PAGE_METHODS;
}

/**
 * Answers `req` here when its method is not one its path serves, and returns true; false lets Next.js
 * handle it. Nothing is read from the body: Node discards it once the answer is sent.
 */
export function refuseUnservedMethod(req: IncomingMessage, res: ServerResponse): boolean {
  const allowed = allowedMethods(req.url);
  if (allowed.includes(req.method ?? '')) return false;
  const body = 'Method not allowed\n';
  res.statusCode = 405;
  for (const { key, value } of STATIC_SECURITY_HEADERS) res.setHeader(key, value);
  res.setHeader('Content-Security-Policy', NON_PAGE_CONTENT_SECURITY_POLICY);
  if (isServedOverHttps(headerSource(req))) res.setHeader('Strict-Transport-Security', STRICT_TRANSPORT_SECURITY);
  res.setHeader('Allow', allowed.join(', '));
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}

/** `req.headers` read the way the proxy-safe helpers read a `Headers` (a repeated header joined). */
function headerSource(req: IncomingMessage): HeaderReader {
  return {
    get: (name) => {
      const value = req.headers[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
  };
}
