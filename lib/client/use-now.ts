'use client';
/**
 * The browser's clock for client components: `useNow` re-reads the time on an interval, and
 * `useIsClient` says whether the browser (with its own time zone) is rendering. Both answer "not yet"
 * on the server and during hydration, so the server's markup and the first client render match.
 */
import { useEffect, useState, useSyncExternalStore } from 'react';

const subscribeNever = () => () => {};

/** False while rendering on the server and hydrating, true after: for output only the browser knows (its time zone). */
export function useIsClient(): boolean {
  return useSyncExternalStore(
    subscribeNever,
    () => true,
    () => false,
  );
}

/** The current time, re-read every `intervalMs`; null on the server and on the first render, so hydration matches. */
export function useNow(intervalMs = 1000): Date | null {
  const [now, setNow] = useState<Date | null>(null);
  useEffect(() => {
    setNow(new Date());
    const timer = setInterval(() => setNow(new Date()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
