/**
 * Cookie tossing. The `__Secure-` prefix allows `Domain=`, so any sibling host
 * (`evil.example.com` next to `app.example.com`) can plant a second `__Secure-refresh_token` that the
 * browser sends alongside the app's own. The Cookie header carries names and values only, no domain
 * or path, so the server cannot tell which copy is whose; Next's parser silently keeps the last one.
 * Reproduced: a victim's Sign out ended the attacker's session, and a renewal swapped the victim into
 * the attacker's account (login CSRF through the refresh endpoint).
 *
 * The only safe reading of a session cookie that arrives more than once is "not trusted": callers
 * refuse the request and clear the app's cookies. `__Host-` cookies (access token, hint) cannot be
 * planted by a sibling (no Domain allowed, RFC 6265bis 4.1.3.2), but are counted too: with
 * COOKIE_SECURE=false they lose their prefix and can be, and one rule is easier to trust than two.
 *
 * What clearing can and cannot do: a response can only delete cookies it could have set, i.e. the
 * app's own host-only ones. The planted copy (Domain=example.com) stays in the browser until it
 * expires or the sibling removes it; every request that carries it next to a fresh session cookie is
 * refused again. So an attacker controlling a sibling host can still sign the victim out (availability),
 * but can no longer swap sessions (integrity). Fixing that needs the sibling gone, or the refresh
 * cookie made host-only (`__Host-` with Path=/, at the price of sending it with every request).
 *
 * Counting mirrors Next's own parser (`@edge-runtime/cookies`: split on `; *`, name up to the first
 * `=`, not decoded), and also counts names with stray whitespace, so anything Next would read as one
 * of these names is counted. No database, no `next/headers`: the proxy may import this.
 */
import { cookieNames } from './cookies';

type HeaderSource = { get(name: string): string | null };

function pairs(cookieHeader: string | null): { name: string; value: string }[] {
  if (!cookieHeader) return [];
  return cookieHeader
    .split(/;/)
    .map((pair) => {
      const splitAt = pair.indexOf('=');
      return splitAt === -1
        ? { name: pair.trim(), value: '' }
        : { name: pair.slice(0, splitAt).trim(), value: pair.slice(splitAt + 1).trim() };
    })
    .filter((pair) => pair.name !== '');
}

/** Every value sent under `name`, in header order (the raw header, not Next's last-one-wins map). */
export function cookieValues(cookieHeader: string | null, name: string): string[] {
  return pairs(cookieHeader)
    .filter((pair) => pair.name === name)
    .map((pair) => {
      try {
        return decodeURIComponent(pair.value);
      } catch {
        return pair.value;
      }
    });
}

/** The app's session cookie names that this Cookie header carries more than once. */
export function duplicatedSessionCookies(cookieHeader: string | null): string[] {
  const names = Object.values(cookieNames());
  const counts = new Map<string, number>();
  for (const { name } of pairs(cookieHeader)) {
    if (names.includes(name)) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts].filter(([, count]) => count > 1).map(([name]) => name);
}

/** True when the request carries the access, refresh or hint cookie more than once: do not trust it. */
export function hasDuplicatedSessionCookies(headers: HeaderSource): boolean {
  return duplicatedSessionCookies(headers.get('cookie')).length > 0;
}

/** What a person sees when a request was refused for duplicated cookies: plain, and nothing to exploit. */
export const CONFLICTING_SESSION_COOKIES =
  'Your browser sent conflicting sign-in cookies. They have been cleared: please sign in again.';
