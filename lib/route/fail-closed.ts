/**
 * Route handlers fail closed (ASVS 16.5.2, 16.5.3): an unexpected error, the database unreachable above
 * all, is a plain 503 with Retry-After (RFC 9110 15.6.4), not Next.js's bare 500; the details go to the
 * server log only. routeHandler() answers every unexpected error with it:
 * docs/decisions/0010-one-wrapper-for-route-handlers.md.
 */
import { jsonError } from './responses';
import { SERVICE_UNAVAILABLE } from '../forms/messages';

/** Seconds a client should wait before retrying after an outage answer. */
const RETRY_AFTER_SECONDS = 5;

/** Logs `error` on the server and answers 503 + Retry-After, revealing nothing of it. */
export function failClosed(error: unknown): Response {
  console.error('Route handler failed; answered 503', error);
  return jsonError(503, SERVICE_UNAVAILABLE, { headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) } });
}
