/**
 * Who sent a request: the one place that decides the client IP, for the per-IP limits on sign-in and
 * signup (lib/limits/rate-limit.ts) and for the security log.
 *
 * - TRUST_PROXY=false (default, the app faces clients directly): the TCP peer address, which a client
 *   cannot choose (lib/request/request-context-hook.ts). `X-Forwarded-For` and `X-Real-IP` are ignored: any
 *   client can write them, and honouring them would let one client appear as thousands.
 * - TRUST_PROXY=true (a reverse proxy you run stands in front): the right-most `X-Forwarded-For`
 *   entry, the address your proxy saw and appended (nginx `$proxy_add_x_forwarded_for`) or set
 *   (`$remote_addr`). Entries to its left were written by the client and are ignored. One proxy hop is
 *   assumed; behind a chain, configure the outermost to set the header rather than append.
 * - TRUST_PROXY=<the proxy's addresses> (the same, but only for requests whose TCP peer is the proxy):
 *   a client that reaches an instance directly, with an `X-Forwarded-For` of its own making, is
 *   recorded and limited by its socket address (lib/request/trusted-proxy.ts).
 */
import { isIP } from 'node:net';
import { getConfig } from '../config/config';
import { forwardingHeadersTrusted, type TrustProxy } from './trusted-proxy';
import { peerAddress } from './request-context';

export type RequestMeta = { ipAddress: string | null; userAgent: string | null };

type HeaderReader = { get(name: string): string | null };

export function requestMeta(headers: HeaderReader, trustProxy: TrustProxy = getConfig().TRUST_PROXY): RequestMeta {
  const userAgent = headers.get('user-agent')?.slice(0, 256) ?? null;
  return { ipAddress: clientIp(headers, trustProxy), userAgent };
}

export function clientIp(headers: HeaderReader, trustProxy: TrustProxy): string | null {
  const candidate = forwardingHeadersTrusted(headers, trustProxy)
    ? (lastForwardedFor(headers) ?? peerAddress(headers))
    : peerAddress(headers);
  return candidate ? normalizeIp(candidate) : null;
}

function lastForwardedFor(headers: HeaderReader): string | null {
  const entries = headers.get('x-forwarded-for')?.split(',').map((entry) => entry.trim()).filter(Boolean);
  return entries?.at(-1) ?? null;
}

/** An IPv4 client reaching an IPv6 socket appears as ::ffff:a.b.c.d; it is the same client. */
function normalizeIp(raw: string): string | null {
  const address = raw.replace(/^\[|\]$/g, '').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  return isIP(address) ? address.toLowerCase() : null;
}
