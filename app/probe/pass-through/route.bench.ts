import { healthResponse } from '@/lib/route/health';

/**
 * GET /probe/pass-through: the health answer on a path the proxy matches but passes straight through
 * (proxy.ts). Against GET /api/health it measures what running a proxy at all costs in Next.js, so that
 * cost is not blamed on the token check (npm run bench, docs/benchmarks.md). It reveals nothing and
 * changes nothing. Only in a build made with BENCH_ROUTES=1 (next.config.js).
 */
export function GET() {
  return healthResponse();
}
