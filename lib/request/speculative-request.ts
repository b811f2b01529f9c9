/**
 * Requests a browser makes ahead of need (a prefetch or prerender: speculation rules, `<link
 * rel=prefetch>`), which it may throw away unseen, recognised by headers only the browser sets
 * (`Sec-Purpose`, `Purpose`, `X-Purpose`, `X-Moz`). None may reach a refresh-token rotation: a discarded
 * one would turn the next renewal into a false reuse alarm (RFC 9700 4.14.2), and ASVS 3.5.3 (no state
 * change on a safe method) holds for them. No database imports: the proxy uses this.
 * Why, and which browser sends what: docs/decisions/0046-speculative-requests-change-nothing.md.
 */
import type { HeaderReader } from './request-context';

const SPECULATIVE = /\b(prefetch|prerender|preview)\b/i;

export function isSpeculativeRequest(headers: HeaderReader): boolean {
  return ['sec-purpose', 'purpose', 'x-purpose', 'x-moz'].some((name) => SPECULATIVE.test(headers.get(name) ?? ''));
}

/**
 * How a speculative request that would renew is answered (status and headers): it changes nothing, and a non-2xx status
 * makes the browser discard the prefetch (a 204 would not: it may be kept and served to the later
 * navigation, which would then go nowhere). The person's real navigation, sent without these
 * headers, renews normally. `no-store`: no cache may keep it either.
 */
export const DECLINED_SPECULATIVE_REQUEST = { status: 503, headers: { 'Cache-Control': 'no-store' } } as const;
