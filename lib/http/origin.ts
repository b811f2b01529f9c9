/**
 * CSRF defence for state-changing requests (ASVS 3.5.1-3.5.3). Route handlers get no CSRF protection
 * from Next.js, and server actions accept a request with no Origin at all; SameSite=Lax alone leaves
 * same-site subdomains and old browsers. So every state-changing request must carry an `Origin` that is
 * the app's own: a missing or `null` Origin is refused too (GHSA-mq59-m269-xvcx was an `Origin: null`
 * bypass). Browsers always send Origin on POST, and a page on another site cannot forge it.
 */
import type { NextRequest, NextResponse } from 'next/server';
import { getConfig } from '../proxy-safe/config';
import { jsonError } from './responses';

type HeaderSource = { get(name: string): string | null };

/**
 * With APP_URL configured the Origin must equal it exactly. Without it, the Origin's host must equal
 * the Host the request was sent to (or X-Forwarded-Host, set by a reverse proxy in front), the same
 * rule Next.js applies to server actions.
 */
export function isSameOriginRequest(headers: HeaderSource, appUrl = getConfig().APP_URL): boolean {
  const origin = headers.get('origin');
  if (!origin || origin === 'null') return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (appUrl) return parsed.origin === new URL(appUrl).origin;
  const host = headers.get('x-forwarded-host')?.split(',')[0]?.trim() || headers.get('host');
  return host !== null && host !== '' && parsed.host === host.toLowerCase();
}

/** 403 for a cross-site or origin-less request (ASVS 3.5.3); null when the request may proceed. */
export function rejectCrossOrigin(req: NextRequest): NextResponse | null {
  if (isSameOriginRequest(req.headers)) return null;
  return jsonError(403, 'Cross-origin request refused');
}
