'use client';
/**
 * React hooks over the session clock (lib/client/session-clock.ts): `useSessionClock` gives a page the
 * newest timeline (what the server rendered, or a renewal in this tab since), and
 * `useRenewalsMadeElsewhere` notices renewals the page could not see (a prefetch's renewal hop, another
 * tab) and re-reads the page's server data.
 */
import { useEffect, useState, useSyncExternalStore } from 'react';
import { useRouter } from 'next/navigation';
import { checkCurrentToken } from './check-current-token';
import {
  getServerSessionClockSnapshot,
  getSessionClockSnapshot,
  holdsNewerToken,
  newestClock,
  subscribeToSessionClock,
  type SessionClock,
  type SessionClockSnapshot,
} from './session-clock';

/**
 * The session clock a page should draw: the newest of what the server rendered (`initial`) and what
 * renewals in this tab have reported since (lib/client/refresh.ts publishes them). Also whether a
 * renewal is on its way, and the last renewal's outcome if it happened while this page was open.
 */
export function useSessionClock(initial: SessionClock): {
  clock: SessionClock;
  renewing: boolean;
  lastRenewal: SessionClockSnapshot['last'];
  /** The browser holds a newer token than `clock` (renewed where the page could not see): re-read the page. */
  stale: boolean;
} {
  const store = useSyncExternalStore(subscribeToSessionClock, getSessionClockSnapshot, getServerSessionClockSnapshot);
  // Renewals before this page was shown are already in `initial` (or belong to another page): only
  // outcomes after it appeared are news worth announcing.
  const [seenBefore] = useState(() => store.last?.count ?? 0);
  const lastRenewal = store.last && store.last.count > seenBefore ? store.last : null;
  const clock = newestClock(initial, store.renewed) ?? initial;
  return { clock, renewing: store.renewing, lastRenewal, stale: holdsNewerToken(clock, store.seen) };
}

/**
 * Renewals this page cannot see: a link prefetch's renewal hop, or another tab, renews the cookies
 * without telling this page. While the drawn token is expired, the page asks GET /api/me (which
 * renews nothing) whenever the person comes back to it; once the browser is known to hold a newer
 * token (from that check or from "Check who I am"), the page re-reads its server data, which draws
 * the new token and the session row as they are now.
 */
export function useRenewalsMadeElsewhere(expired: boolean, stale: boolean) {
  const router = useRouter();
  useEffect(() => {
    if (stale) router.refresh();
  }, [stale, router]);
  useEffect(() => {
    if (!expired) return;
    const check = () => {
      if (document.visibilityState === 'visible') void checkCurrentToken();
    };
    window.addEventListener('focus', check);
    document.addEventListener('visibilitychange', check);
    return () => {
      window.removeEventListener('focus', check);
      document.removeEventListener('visibilitychange', check);
    };
  }, [expired]);
}
