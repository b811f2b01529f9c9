/**
 * Route handlers fail closed (ASVS 16.5.2, 16.5.3): when something they depend on fails, the database
 * unreachable above all, the answer is a plain 503 with Retry-After (RFC 9110 15.6.4) that says nothing
 * happened, not Next.js's bare 500. Nothing is granted on the way out: no cookie is set, because the
 * handler never got as far as issuing one. The details go to the server log only, never to the client
 * (no stack, no driver message naming a file path). routeHandler() (./route-handler.ts) answers every
 * unexpected error with it.
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
