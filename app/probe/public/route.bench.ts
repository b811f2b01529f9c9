import { healthResponse } from '@/lib/route/health';

/**
 * GET /probe/public: the health answer on a public page path. The proxy does what it does for every
 * public page (the Content-Security-Policy with a fresh nonce, passed on to Next.js on the request) and
 * checks no token. Between GET /probe/pass-through and GET /probe/signed-in it separates the cost of the
 * headers from the cost of verifying the token (npm run bench, docs/benchmarks.md). It reveals nothing
 * and changes nothing. Only in a build made with BENCH_ROUTES=1 (next.config.js).
 */
export function GET() {
  return healthResponse();
}
