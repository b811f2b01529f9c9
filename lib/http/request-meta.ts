/**
 * Who sent a request, for the security log and the sessions list. Informational only: never used to
 * decide access.
 */
export type RequestMeta = { ipAddress: string | null; userAgent: string | null };

/** Reads client details for the log. The IP is informational: X-Forwarded-For is only as honest as the proxy in front. */
export function requestMeta(headers: { get(name: string): string | null }): RequestMeta {
  const forwarded = headers.get('x-forwarded-for')?.split(',')[0]?.trim();
  const ipAddress = forwarded || headers.get('x-real-ip') || null;
  const userAgent = headers.get('user-agent')?.slice(0, 256) ?? null;
  return { ipAddress: ipAddress?.slice(0, 64) ?? null, userAgent };
}
