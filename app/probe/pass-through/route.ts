import { healthResponse } from '@/lib/route/health';

/**
 * GET /probe/pass-through: the health answer on a path the proxy matches but passes straight through
 * (proxy.ts, PROXY_PASS_THROUGH). Against GET /api/health it measures what running a proxy at all costs
 * in Next.js, so that cost is not blamed on the token check (npm run bench, docs/benchmarks.md).
 * It reveals nothing and changes nothing.
 */
export function GET() {
  return healthResponse();
}
