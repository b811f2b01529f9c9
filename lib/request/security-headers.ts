/**
 * Response headers that limit what an injected script, a framing page or a network attacker can do
 * (ASVS 3.4.x, V50 in 5.0 numbering): a Content-Security-Policy with a fresh nonce per request,
 * HSTS over https. Built in the proxy because both depend on the request (the nonce, the scheme);
 * the request-independent ones (Permissions-Policy, nosniff, Referrer-Policy) are in next.config.js.
 */

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
