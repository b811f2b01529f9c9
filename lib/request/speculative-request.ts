/**
 * Requests a browser makes ahead of need: a prefetch or prerender (speculation rules, `<link
 * rel=prefetch>`), which the browser may throw away unseen. No database imports: the proxy uses this.
 *
 * Why it matters here: the renewal hop (`GET /api/auth/refresh`) rotates the refresh token. Rotated by
 * a prefetch whose answer is discarded, the browser keeps the old token, and once the reuse grace
 * window has passed its next renewal presents a used token, which reuse detection (RFC 9700 4.14.2)
 * treats as theft: a false sign-out and a false `refresh_token_reuse` alarm. So nothing speculative
 * ever reaches a rotation, and ASVS 3.5.3 (no state change on a safe method) holds for it.
 *
 * The headers, all set by the browser:
 * - `Sec-Purpose: prefetch` (also `prefetch;prerender`, `prefetch;anonymous-client-ip`): Fetch, sent
 *   by Chromium and Firefox; a page's script cannot write a `Sec-` header.
 * - `Purpose: prefetch`: the older form (Chromium before Sec-Purpose, Safari).
 * - `X-Purpose: preview` (old Chromium and Safari previews), `X-Moz: prefetch` (old Firefox).
 */
type HeaderSource = { get(name: string): string | null };

const SPECULATIVE = /\b(prefetch|prerender|preview)\b/i;

export function isSpeculativeRequest(headers: HeaderSource): boolean {
  return ['sec-purpose', 'purpose', 'x-purpose', 'x-moz'].some((name) => SPECULATIVE.test(headers.get(name) ?? ''));
}

/**
 * How a speculative request that would renew is answered (status and headers): it changes nothing, and a non-2xx status
 * makes the browser discard the prefetch (a 204 would not: it may be kept and served to the later
 * navigation, which would then go nowhere). The person's real navigation, sent without these
 * headers, renews normally. `no-store`: no cache may keep it either.
 */
export const DECLINED_SPECULATIVE_REQUEST = { status: 503, headers: { 'Cache-Control': 'no-store' } } as const;
