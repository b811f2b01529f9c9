/**
 * The answers of the two DBSC endpoints (app/api/auth/dbsc/): the session instructions naming the
 * bound access cookie with exactly the attributes it is set with, the next challenge, and the headers
 * every answer carries (never cached, never embedded: the spec's server considerations).
 * Why: docs/decisions/0103-dbsc-endpoints.md.
 */
import { challengeHeader } from '../binding/dbsc-headers';
import { dbscSessionInstructions } from '../binding/dbsc-instructions';
import { NON_PAGE_CONTENT_SECURITY_POLICY } from '../request/static-headers.js';
import { accessCookieAttributes, cookieNames } from '../tokens/cookies';
import { json } from './responses';
import type { RouteOptions } from './route-handler';

export const DBSC_REGISTRATION_PATH = '/api/auth/dbsc/register';
export const DBSC_REFRESH_PATH = '/api/auth/dbsc/refresh';

/** The request headers the browser sends (W3C DBSC, "Send request"). */
export const DBSC_SESSION_ID_HEADER = 'Sec-Secure-Session-Id';
export const DBSC_RESPONSE_HEADER = 'Secure-Session-Response';
export const DBSC_CHALLENGE_HEADER = 'Secure-Session-Challenge';
export const DBSC_REGISTRATION_HEADER = 'Secure-Session-Registration';

/**
 * Requests the browser must not hold back for a refresh: static files, the liveness probe, and the
 * endpoints that make a session (they need no bound cookie). The refresh URL is excluded by the spec.
 */
const EXCLUDED_PATHS = ['/_next/', '/api/health', '/api/auth/login', '/api/auth/signup'];

/** Headers on every answer of both endpoints, unless it sets its own. */
export const DBSC_DEFAULT_HEADERS: RouteOptions['defaultHeaders'] = {
  'Content-Security-Policy': NON_PAGE_CONTENT_SECURITY_POLICY,
  'Cache-Control': 'no-store',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** 200: the session instructions, with the next challenge for the browser to cache. */
export function instructionsAnswer(origin: string, dbscSessionId: string, nextChallenge: string) {
  const response = json(
    dbscSessionInstructions({
      id: dbscSessionId,
      origin,
      refreshPath: DBSC_REFRESH_PATH,
      cookie: { name: cookieNames().access, options: accessCookieAttributes() },
      excludedPaths: EXCLUDED_PATHS,
    }),
  );
  response.headers.set(DBSC_CHALLENGE_HEADER, challengeHeader(nextChallenge, dbscSessionId));
  return response;
}
