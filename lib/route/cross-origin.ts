/**
 * CSRF defence for state-changing route handlers (ASVS 3.5.1-3.5.3): the request's `Origin` must be the
 * app's own; a missing or `null` one is refused too. routeHandler() applies it to every route unless it
 * opts out. The comparison lives in lib/request/origin.ts, shared with the proxy and server actions.
 * Why: docs/decisions/0010-one-wrapper-for-route-handlers.md.
 */
import type { NextRequest, NextResponse } from 'next/server';
import { isSameOriginRequest } from '../request/origin';
import { jsonError } from './responses';

export { expectedOrigin, isSameOriginRequest, type OriginPolicy } from '../request/origin';

/** 403 for a cross-site or origin-less request (ASVS 3.5.3); null when the request may proceed. */
export function rejectCrossOrigin(req: NextRequest): NextResponse | null {
  if (isSameOriginRequest(req.headers)) return null;
  return jsonError(403, 'Cross-origin request refused');
}
