/**
 * Response headers that limit what an injected script, a framing page or a network attacker can do
 * (ASVS 3.4.x, V50 in 5.0 numbering): a Content-Security-Policy with a fresh nonce per request,
 * HSTS over https. Built in the proxy because both depend on the request (the nonce, the scheme);
 * the request-independent ones (Permissions-Policy, nosniff, Referrer-Policy) are in next.config.js.
 */
import { peerAddressHookState, type HeaderReader } from './request-context';

/** 128 random bits, base64: unguessable, and new for every page response (CSP3 "nonce-source"). */
export function createNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
}

/**
 * The page CSP. Scripts run only with this response's nonce ('strict-dynamic' lets Next's nonced
 * runtime load its own chunks), never from inline markup an attacker injected: no 'unsafe-inline'.
 * Styles: Next.js puts the nonce on the styles it injects, so production needs no 'unsafe-inline'
 * there either. Development (`next dev`) needs 'unsafe-eval' (React rebuilds server error stacks with
 * eval) and 'unsafe-inline' styles (the dev overlay); neither is sent by `next start`.
 * frame-ancestors 'none' is the modern X-Frame-Options: DENY (clickjacking, ASVS 3.4.6).
 */
export function contentSecurityPolicy(nonce: string, options: { https: boolean; development: boolean }): string {
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${options.development ? " 'unsafe-eval'" : ''}`,
    `style-src 'self' ${options.development ? "'unsafe-inline'" : `'nonce-${nonce}'`}`,
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    // Only where the site is https: on a plain-http localhost it would break every subresource.
    ...(options.https ? ['upgrade-insecure-requests'] : []),
  ];
  return directives.join('; ');
}

/**
 * HSTS (RFC 6797): two years, subdomains included, so a network attacker cannot downgrade a returning
 * browser to http and read or set its cookies. Sent only when the site is served over https (RFC
 * 6797 7.2 forbids it over http, and a plain-http localhost must not be pinned to https).
 */
export const STRICT_TRANSPORT_SECURITY = 'max-age=63072000; includeSubDomains';

/**
 * The paths proxy.ts's matcher covers, as a test of a raw request target: every page, not the APIs nor
 * Next's static files. tests/unit/page-policy.test.ts checks the two agree.
 */
export const PAGE_PATH = /^\/(?!api\/|_next\/static\/|_next\/image|favicon\.ico)/;

/**
 * The server hook (lib/request/request-context-hook.ts) writes a page GET's policy onto the request
 * before Next.js sees it, and marks it with its secret stamp in this header; the proxy then only copies
 * it to the response. Why: docs/decisions/0096-page-policy-written-by-the-server-hook.md.
 */
export const PAGE_POLICY_MARK_HEADER = 'x-app-page-policy';

/** The policy a page GET will be rendered with, as the proxy finds it and the hook wrote it. */
export function hookPagePolicy(headers: HeaderReader): string | null {
  const state = peerAddressHookState();
  // Only the hook of this process knows its stamp: a client sending both headers chooses nothing.
  if (!state || headers.get(PAGE_POLICY_MARK_HEADER) !== state.stamp) return null;
  return headers.get('content-security-policy');
}

/**
 * The hook's half: a GET or HEAD of a page gets a fresh policy on the request, marked with the stamp;
 * every other request loses a mark a client sent. A client's own Content-Security-Policy request header
 * on a page is overwritten either way (here, or by the proxy for the requests it handles itself).
 */
export function writePagePolicy(
  request: { method?: string; url?: string; headers: Record<string, string | string[] | undefined> },
  stamp: string,
  https: (headers: HeaderReader) => boolean,
): void {
  delete request.headers[PAGE_POLICY_MARK_HEADER];
  if ((request.method !== 'GET' && request.method !== 'HEAD') || !PAGE_PATH.test(request.url ?? '')) return;
  const headers: HeaderReader = {
    get: (name) => {
      const value = request.headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(', ') : (value ?? null);
    },
  };
  request.headers['content-security-policy'] = contentSecurityPolicy(createNonce(), {
    https: https(headers),
    development: process.env.NODE_ENV === 'development',
  });
  request.headers[PAGE_POLICY_MARK_HEADER] = stamp;
}
