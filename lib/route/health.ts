/**
 * The liveness answer: the process is up. No database, no cookie, so a load balancer may call it as
 * often as it likes and a database outage does not take every instance out of rotation at once. Also
 * the benchmark's baseline (docs/benchmarks.md): the cheapest dynamic request Next.js serves. Route
 * handlers run per request since Next.js 15 (never prerendered unless they opt in): always live.
 */
import { json } from './responses';

export type Health = { status: 'ok' };

/** 200 `{status:'ok'}`, `Cache-Control: no-store` (a cached "ok" would hide a dead instance). */
export function healthResponse() {
  return json<Health>({ status: 'ok' });
}
