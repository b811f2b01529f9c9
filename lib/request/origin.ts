/**
 * Which origin a request is addressed to, and whether its `Origin` header is that origin (the CSRF
 * defence of ASVS 3.5.3, compared as RFC 6454 origins: scheme, host and port). Pure and free of database
 * code: the proxy refuses cross-origin posts to pages with it before Next.js parses them, and route
 * handlers and server actions use the very same rule (lib/route/route-handler.ts applies it).
 * Forwarding headers count only under TRUST_PROXY: docs/decisions/0044-forwarding-headers-and-client-ip.md.
 */
import { getConfig } from '../config/config';
import { forwardingHeadersTrusted, type TrustProxy } from './trusted-proxy';
import type { HeaderReader } from './request-context';

export type OriginPolicy = {
  /** The public origin (APP_URL). When set, it is the only acceptable Origin. */
  appUrl?: string;
  /** A reverse proxy in front sets X-Forwarded-Host / -Proto (TRUST_PROXY: always, or from these addresses). */
  trustProxy: TrustProxy;
};

/**
 * The scheme of the connection the app itself accepted. `next start` serves plain http only (TLS is
 * ended by a proxy in front), so without a trusted proxy or APP_URL the request's own scheme is http.
 * The request URL's scheme is no better source: Next.js builds it from the client's own
 * `X-Forwarded-Proto` (next/dist/server/lib/router-utils/resolve-routes.js), which is exactly the
 * header an untrusted client may forge.
 */
const OWN_SCHEME = 'http';

function currentPolicy(): OriginPolicy {
  const config = getConfig();
  return { appUrl: config.APP_URL, trustProxy: config.TRUST_PROXY };
}

/** The first value of a comma-separated forwarding header (the hop nearest the client). */
function firstForwarded(headers: HeaderReader, name: string): string | undefined {
  return headers.get(name)?.split(',')[0]?.trim() || undefined;
}

/**
 * The origin this request was sent to, as the browser saw it: APP_URL when configured; otherwise
 * the Host header (or, behind a trusted proxy, X-Forwarded-Host) with the app's own scheme (or,
 * behind a trusted proxy, X-Forwarded-Proto). Null when it cannot be known.
 */
export function expectedOrigin(headers: HeaderReader, policy: OriginPolicy = currentPolicy()): string | null {
  if (policy.appUrl) return new URL(policy.appUrl).origin;
  const trusted = forwardingHeadersTrusted(headers, policy.trustProxy);
  const forwardedProto = trusted ? firstForwarded(headers, 'x-forwarded-proto')?.toLowerCase() : undefined;
  const scheme = forwardedProto === 'https' || forwardedProto === 'http' ? forwardedProto : OWN_SCHEME;
  const host = (trusted ? firstForwarded(headers, 'x-forwarded-host') : undefined) ?? headers.get('host');
  // A Host header carrying a path, credentials or a query is not a host.
  if (!host || /[/?#@\\\s]/.test(host)) return null;
  try {
    return new URL(`${scheme}://${host}`).origin;
  } catch {
    return null;
  }
}

/**
 * True when `Origin` is exactly the origin the request was sent to. A missing or `null` Origin is
 * refused (GHSA-mq59-m269-xvcx was an `Origin: null` bypass); browsers always send Origin on POST.
 */
export function isSameOriginRequest(headers: HeaderReader, policy: Partial<OriginPolicy> = {}): boolean {
  const origin = headers.get('origin');
  if (!origin || origin === 'null') return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  const expected = expectedOrigin(headers, resolvePolicy(policy));
  return expected !== null && parsed.origin === expected;
}

/** The configured policy, with whatever the caller passed (tests) taking precedence. */
function resolvePolicy(policy: Partial<OriginPolicy>): OriginPolicy {
  return { ...currentPolicy(), ...policy };
}

/**
 * Whether the browser reached the app over https: APP_URL is https, or a trusted proxy says so.
 * Decides HSTS (RFC 6797 7.2: never sent over plain http, where it would be ignored anyway and a
 * plain-http localhost must keep working).
 */
export function isServedOverHttps(headers: HeaderReader, policy: OriginPolicy = currentPolicy()): boolean {
  return expectedOrigin(headers, policy)?.startsWith('https:') ?? false;
}
