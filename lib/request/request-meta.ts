/**
 * Who sent a request: the one place that decides the client IP (for the per-IP limits on sign-in and
 * signup, lib/limits/rate-limit.ts, and the security log) and keeps the user agent. The TCP peer
 * address (lib/request/request-context.ts), or behind a trusted proxy (lib/request/trusted-proxy.ts) the
 * right-most `X-Forwarded-For` entry, the one that proxy wrote; never a client-written entry.
 * Why: docs/decisions/0044-forwarding-headers-and-client-ip.md.
 */
import { isIP } from 'node:net';
import { getConfig } from '../config/config';
import { forwardingHeadersTrusted, type TrustProxy } from './trusted-proxy';
import { peerAddress, type HeaderReader } from './request-context';

export type RequestMeta = { ipAddress: string | null; userAgent: string | null };


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
