/**
 * When forwarding headers (`X-Forwarded-For`, `-Host`, `-Proto`) may be believed, per TRUST_PROXY:
 * `false` (default) never; `true` always (only when nothing but your proxy can reach the app); a list of
 * exact addresses, only when the request's TCP peer (lib/request/request-context.ts) is one of them.
 * Pure, with no Node.js import: the proxy's origin rule uses it as well as route handlers.
 * Why: docs/decisions/0044-forwarding-headers-and-client-ip.md.
 */
import { peerAddress, type HeaderReader } from './request-context';

export type TrustProxy = boolean | readonly string[];


/**
 * The canonical text of an IP address (IPv6 compressed and lower case, an IPv4-mapped IPv6 address as
 * plain IPv4, brackets dropped), or null when `raw` is not one. The WHATWG URL parser does the work, so
 * `::0001` and `::1` compare equal, without a Node.js module.
 */
export function canonicalIp(raw: string): string | null {
  const address = raw.trim().replace(/^\[|\]$/g, '');
  const ipv4 = /^\d{1,3}(\.\d{1,3}){3}$/;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return canonicalIp(mapped[1]!);
  if (ipv4.test(address)) {
    return address.split('.').every((part) => Number(part) <= 255 && (part === '0' || !part.startsWith('0')))
      ? address
      : null;
  }
  if (!address.includes(':') || !/^[0-9a-f:.]+$/i.test(address)) return null;
  try {
    const host = new URL(`http://[${address}]/`).hostname;
    const canonical = host.slice(1, -1);
    const mappedAgain = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
    if (mappedAgain) {
      const [high, low] = [parseInt(mappedAgain[1]!, 16), parseInt(mappedAgain[2]!, 16)];
      return [high >> 8, high & 255, low >> 8, low & 255].join('.');
    }
    return canonical;
  } catch {
    return null;
  }
}

/** True when this request's forwarding headers were written by a proxy TRUST_PROXY names. */
export function forwardingHeadersTrusted(headers: HeaderReader, trustProxy: TrustProxy): boolean {
  if (typeof trustProxy === 'boolean') return trustProxy;
  const peer = peerAddress(headers);
  const canonicalPeer = peer ? canonicalIp(peer) : null;
  return canonicalPeer !== null && trustProxy.includes(canonicalPeer);
}
