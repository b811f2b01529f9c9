/**
 * `routeHandler()`: the one checked path for route handlers, as lib/sensitive-actions/checked-action.ts
 * is for server actions. Every app/api route is built with it (tests/unit/route-handlers-use-wrapper.test.ts),
 * so no handler can forget a check: the Origin rule (ASVS 3.5.3), the bounded JSON body parsed with zod,
 * and failing closed with a 503 on anything unexpected (ASVS 16.5.2, 16.5.3). The reasoning:
 * docs/decisions/0010-one-wrapper-for-route-handlers.md.
 */
import type { NextRequest } from 'next/server';
import type { z } from 'zod';
import { isSameOriginRequest } from '../request/origin';
import { SERVICE_UNAVAILABLE } from '../forms/messages';
import { parseJsonBody } from './json-body';
import { jsonError, RouteError } from './responses';

export type RouteOptions<S extends z.ZodType | undefined = undefined> = {
  /**
   * `same-origin` (the default): a request whose Origin is not the app's own is refused with 403 before
   * the handler runs. `allowed` only for answers that change nothing: a browser sends no Origin on a
   * same-origin GET, so a read must allow it. `absent-or-same-origin` only for the two DBSC endpoints,
   * which the browser itself calls and which some builds call with no Origin: a missing Origin passes,
   * a present foreign or `null` one is refused as everywhere (docs/decisions/0103-dbsc-endpoints.md).
   */
  crossOrigin?: 'same-origin' | 'allowed' | 'absent-or-same-origin';
  /** The JSON body's schema: the handler reads it with `body()`, bounded and parsed (./json-body.ts). */
  body?: S;
  /** Headers every answer gets unless it sets its own (the refresh route's Content-Security-Policy). */
  defaultHeaders?: Record<string, string>;
};

export type RouteContext<S extends z.ZodType | undefined> = S extends z.ZodType
  ? {
      /**
       * The body, parsed with the route's schema. Throws a `RouteError` (415, 413 or 400, which the
       * wrapper answers) when it is not JSON, too large or invalid. Read when the handler is ready for it.
       */
      body: () => Promise<z.infer<S>>;
    }
  : Record<string, never>;

/** A read that needs nothing of the request (the liveness answer, the API 404): answers as its handler does. */
export function routeHandler<R extends Response | Promise<Response>>(
  options: RouteOptions & { crossOrigin: 'allowed' },
  handler: () => R,
): () => R;
export function routeHandler<S extends z.ZodType | undefined = undefined>(
  options: RouteOptions<S>,
  handler: (request: NextRequest, context: RouteContext<S>) => Promise<Response>,
): (request: NextRequest) => Promise<Response>;
export function routeHandler<S extends z.ZodType | undefined>(
  options: RouteOptions<S>,
  handler: (request: NextRequest, context: RouteContext<S>) => Response | Promise<Response>,
) {
  const finish = (response: Response) => withDefaultHeaders(response, options.defaultHeaders);
  if (options.crossOrigin === 'allowed' && !options.body) {
    // Nothing to refuse before the handler: a synchronous handler keeps a synchronous answer.
    return (request: NextRequest) => answer(() => handler(request, {} as RouteContext<S>), finish);
  }
  return async (request: NextRequest) =>
    answer(async () => {
      const refused = options.crossOrigin === 'allowed' ? null : rejectCrossOrigin(request, options.crossOrigin);
      return refused ?? handler(request, contextFor(request, options.body));
    }, finish);
}

/** Runs the handler: a `RouteError` becomes its response, anything else unexpected a 503 (`failClosed`). */
function answer(run: () => Response | Promise<Response>, finish: (response: Response) => Response) {
  const onError = (error: unknown) => finish(error instanceof RouteError ? error.response : failClosed(error));
  let result: Response | Promise<Response>;
  try {
    result = run();
  } catch (error) {
    return onError(error);
  }
  return result instanceof Promise ? result.then(finish, onError) : finish(result);
}

/** `body()` for the handler: parsed once, on first call, with the route's schema. */
function contextFor<S extends z.ZodType | undefined>(request: NextRequest, schema: S | undefined): RouteContext<S> {
  if (!schema) return {} as RouteContext<S>;
  let parsed: Promise<unknown> | undefined;
  const body = () =>
    (parsed ??= parseJsonBody(request, schema).then((result) => {
      if (!result.ok) throw new RouteError(result.response);
      return result.data;
    }));
  return { body } as RouteContext<S>;
}

function withDefaultHeaders(response: Response, headers: Record<string, string> | undefined): Response {
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!response.headers.has(name)) response.headers.set(name, value);
  }
  return response;
}

/**
 * CSRF defence (ASVS 3.5.1-3.5.3): 403 unless the request's `Origin` is the app's own; a missing or
 * `null` one is refused too. The comparison is lib/request/origin.ts, shared with the proxy and the
 * checked server-action path. Null when the request may proceed.
 */
function rejectCrossOrigin(request: NextRequest, mode: RouteOptions['crossOrigin']): Response | null {
  if (mode === 'absent-or-same-origin' && !request.headers.has('origin')) return null;
  if (isSameOriginRequest(request.headers)) return null;
  return jsonError(403, 'Cross-origin request refused');
}

/** Seconds a client should wait before retrying after an outage answer. */
const RETRY_AFTER_SECONDS = 5;

/**
 * Failing closed (ASVS 16.5.2, 16.5.3): an unexpected error, the database unreachable above all, is
 * logged on the server and answered with a plain 503 and Retry-After (RFC 9110 15.6.4), revealing
 * nothing of it, never Next.js's bare 500.
 */
function failClosed(error: unknown): Response {
  console.error('Route handler failed; answered 503', error);
  return jsonError(503, SERVICE_UNAVAILABLE, { headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) } });
}
