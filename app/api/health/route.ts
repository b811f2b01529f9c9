import { healthResponse } from '@/lib/route/health';
import { routeHandler } from '@/lib/route/route-handler';

/**
 * GET /api/health: liveness for load balancers and the scale-out set-up. No database, no
 * authentication, outside the proxy (proxy.ts matches pages only). Also the benchmark's baseline.
 */
export const GET = routeHandler({ crossOrigin: 'allowed' }, () => healthResponse());
