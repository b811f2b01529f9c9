'use client';

import { useState, useSyncExternalStore } from 'react';
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
