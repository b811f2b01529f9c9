import { healthResponse } from '@/lib/route/health';

/**
 * GET /api/health: liveness for load balancers and the scale-out set-up. No database, no
 * authentication, outside the proxy (proxy.ts matches pages only). Also the benchmark's baseline.
 */
export function GET() {
  return healthResponse();
}
