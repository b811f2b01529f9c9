/**
 * CSRF defence for state-changing requests (ASVS 3.5.1-3.5.3). Route handlers get no CSRF protection
 * from Next.js, and server actions accept a request with no Origin at all; SameSite=Lax alone leaves
 * same-site subdomains and old browsers. So every state-changing request must carry an `Origin` that is
 * the app's own origin (scheme, host and port): a missing or `null` Origin is refused too
 * (GHSA-mq59-m269-xvcx was an `Origin: null` bypass). Browsers always send Origin on POST, and a page
 * on another site cannot forge it.
 *
 * The comparison itself lives in lib/request/origin.ts so that the proxy applies the same rule to
 * posts to pages (server actions) before Next.js handles them.
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
