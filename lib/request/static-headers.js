// @ts-check
/**
 * The security headers that do not depend on the request, in one place for everything that writes a
 * response: next.config.js (every response Next.js sends), proxy.ts (its own refusals) and
 * lib/request/request-edge.ts (answers before Next.js). Plain JavaScript because next.config.js imports
 * it; free of database code because the proxy does too. The page CSP (a per-request nonce) and HSTS
 * (depends on the scheme) are the proxy's: lib/request/security-headers.ts.
 */

/**
 * Powerful browser features this app never uses, switched off for it and for anything it embeds, so
 * an injected script cannot ask for them in the app's name (W3C Permissions Policy).
 */
const permissionsPolicy = [
  'accelerometer=()',
  'autoplay=()',
  'camera=()',
  'display-capture=()',
  'geolocation=()',
  'gyroscope=()',
  'magnetometer=()',
  'microphone=()',
  'midi=()',
  'payment=()',
  'publickey-credentials-get=()',
  'screen-wake-lock=()',
  'serial=()',
  'usb=()',
  'xr-spatial-tracking=()',
  'browsing-topics=()',
].join(', ');

/** On every response (ASVS 3.4.4 nosniff, 3.4.5 Referrer-Policy, 3.4.6 framing). */
export const STATIC_SECURITY_HEADERS = /** @type {const} */ ([
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Referrer-Policy', value: 'same-origin' },
  { key: 'Permissions-Policy', value: permissionsPolicy },
]);

/**
 * The Content-Security-Policy of an answer that is not a page: an API's JSON, an error the server
 * writes itself. Nothing in it may load or run anything, or be framed (ASVS 3.4.3). The renewal page
 * under /api/auth sets its own, stricter-but-scripted policy (lib/route/renewal-hop.ts).
 */
export const NON_PAGE_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
