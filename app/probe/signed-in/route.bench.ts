import { healthResponse } from '@/lib/route/health';

/**
 * GET /probe/signed-in: the health answer on a path the proxy treats like a protected page (proxy.ts,
 * PROTECTED_PAGES): it verifies the access token, redirects a visitor without one, and adds the
 * Content-Security-Policy. Against GET /probe/pass-through it measures what the proxy's work on a page
 * costs (npm run bench, docs/benchmarks.md). It answers only `{status:'ok'}`, so unlike every real page
 * it needs no second check through lib/dal.ts: there is nothing to protect. Only in a build made with
 * BENCH_ROUTES=1 (next.config.js).
 */
export function GET() {
  return healthResponse();
}
