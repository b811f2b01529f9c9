/**
 * Fetch Metadata (W3C): headers the browser sets and a page cannot write. No database imports: the
 * proxy uses this.
 */
import type { HeaderReader } from './request-context';

/**
 * True for a request a script made (fetch or XHR: `Sec-Fetch-Mode` is `cors`, `same-origin` or
 * `no-cors`), false for a navigation or a client without Fetch Metadata. Next.js's router loads pages
 * this way (RSC payloads, prefetches); the proxy cannot see Next's own `RSC` header (Next hides it
 * from middleware), so this is how it tells those fetches from a person's page load.
 */
export function isScriptFetch(headers: HeaderReader): boolean {
  const mode = headers.get('sec-fetch-mode');
  return mode !== null && mode !== 'navigate';
}
