/**
 * Where to send a person after sign-in or renewal. `next` comes from the query string, so it is
 * attacker-controlled: only same-origin paths are honoured (no open redirect, ASVS 5.1 / CWE-601).
 * No database imports: the proxy uses this.
 */
const PLACEHOLDER_ORIGIN = 'http://app.invalid';
const DEFAULT_AFTER_LOGIN = '/dashboard';

/**
 * Query parameters Next.js adds for its own requests (`_rsc`: the router's cache-busting key). They
 * mean nothing in an address a person lands on, so `next` never carries them.
 */
const NEXT_INTERNAL_PARAMS = ['_rsc'];

/**
 * Returns a same-origin path (with query and hash) or the fallback. The check runs on the path that
 * is *returned*, after URL parsing has normalised it: `/.//evil.example` parses to the path
 * `//evil.example`, which a browser reads as another host. Validating only the input misses that.
 */
export function safeNextPath(next: string | null | undefined, fallback = DEFAULT_AFTER_LOGIN): string {
  if (!next || !next.startsWith('/')) return fallback;
  let url: URL;
  try {
    url = new URL(next, PLACEHOLDER_ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== PLACEHOLDER_ORIGIN) return fallback;
  // Deleted only when present: deleting re-encodes the whole query, which must otherwise stay as sent.
  for (const name of NEXT_INTERNAL_PARAMS) if (url.searchParams.has(name)) url.searchParams.delete(name);
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (!isPlainPath(path)) return fallback;
  // Never bounce into the API (a renewal loop, or a logout by link).
  if (url.pathname === '/api' || url.pathname.startsWith('/api/')) return fallback;
  return path;
}

/** One leading slash followed by something that is not a slash or backslash (or nothing). */
function isPlainPath(path: string): boolean {
  return path.startsWith('/') && path[1] !== '/' && path[1] !== '\\';
}

export function loginPath(next: string): string {
  return `/login?${new URLSearchParams({ next: safeNextPath(next) })}`;
}

/** The silent-renewal hop: the refresh endpoint rotates the token and sends the person on to `next`. */
export function renewalPath(next: string): string {
  return `/api/auth/refresh?${new URLSearchParams({ next: safeNextPath(next) })}`;
}

/**
 * Where a visitor without a valid access token goes: through the renewal hop when the hint cookie says
 * a refresh may work, else straight to the login form. Shared by the proxy and the data access layer.
 */
export function signedOutRedirect(path: string, mayRenew: boolean): string {
  return mayRenew ? renewalPath(path) : loginPath(path);
}
