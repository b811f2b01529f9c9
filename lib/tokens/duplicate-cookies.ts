/**
 * Cookie tossing: a sibling host can plant a second `__Secure-refresh_token` (the prefix allows
 * `Domain=`; `__Host-` cookies cannot be planted, RFC 6265bis 4.1.3.2, but are counted too), and the
 * Cookie header does not say whose copy is whose. So a session cookie that arrives more than once is not
 * trusted: callers refuse the request and clear the app's cookies. Counted the way Next's own parser
 * reads the header. No database, no `next/headers`: the proxy may import this.
 * The attack, and what clearing cannot undo: docs/decisions/0049-duplicate-session-cookies.md.
 */
import { cookieNames } from './cookies';
import type { HeaderReader } from '../request/request-context';

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
export function hasDuplicatedSessionCookies(headers: HeaderReader): boolean {
  return duplicatedSessionCookies(headers.get('cookie')).length > 0;
}

/** What a person sees when a request was refused for duplicated cookies: plain, and nothing to exploit. */
export const CONFLICTING_SESSION_COOKIES =
  'Your browser sent conflicting sign-in cookies. They have been cleared: please sign in again.';
