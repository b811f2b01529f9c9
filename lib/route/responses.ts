/**
 * Responses of the JSON route handlers: one error shape, never cached (they carry session state).
 */
import { NextResponse } from 'next/server';
import type { FieldErrors } from '../forms/validation';
import { NOT_SIGNED_IN } from '../forms/messages';
import type { HeaderReader } from '../request/request-context';

export type ApiError = { error: string; fieldErrors?: FieldErrors };

export function jsonError(status: number, error: string, init?: { fieldErrors?: FieldErrors; headers?: HeadersInit }) {
  const body: ApiError = init?.fieldErrors ? { error, fieldErrors: init.fieldErrors } : { error };
  return NextResponse.json(body, { status, headers: { 'Cache-Control': 'no-store', ...init?.headers } });
}

/**
 * 401 for an API request without a valid access token. `WWW-Authenticate` is required on a 401 (RFC 9110
 * 11.6.1); the scheme names the cookie the app authenticates with.
 */
export function notSignedIn() {
  return jsonError(401, NOT_SIGNED_IN, { headers: { 'WWW-Authenticate': 'Cookie realm="app"' } });
}

/**
 * A refusal thrown from inside a route handler, carrying its ready answer: routeHandler()
 * (lib/route/route-handler.ts) responds with it instead of failing closed with a 503.
 */
export class RouteError extends Error {
  constructor(readonly response: NextResponse) {
    super(`Route handler refused the request with ${response.status}`);
    this.name = 'RouteError';
  }
}

export function json<T>(body: T, status = 200) {
  return NextResponse.json(body, { status, headers: { 'Cache-Control': 'no-store' } });
}

/**
 * A redirect with a relative Location: the browser resolves it against the URL it actually used, so
 * cookies set on this response land on the same host (Next reports `localhost` in req.url even for a
 * request sent to 127.0.0.1).
 */
export function redirectTo(path: string, status: 303 | 307 = 303) {
  return new NextResponse(null, { status, headers: { Location: path, 'Cache-Control': 'no-store' } });
}

/**
 * A browser navigation (a plain HTML form post) rather than a script's fetch: it wants a redirect to a
 * page, not JSON.
 */
export function isNavigation(headers: HeaderReader): boolean {
  return headers.get('sec-fetch-mode') === 'navigate' || (headers.get('accept') ?? '').includes('text/html');
}
