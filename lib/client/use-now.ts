'use client';
/**
 * The browser's clock for client components. One clock for the whole page: a single timer on the
 * whole second, running only while a component reads it, and started only once the browser is idle
 * after the page loads, so it never lengthens hydration. `useClock` re-renders a component only when
 * the value it derives changes ("in 4 minutes" once a minute, a countdown every second); `useIsPast`
 * wakes once, at its instant. All answer "not yet" (null or false) on the server and during
 * hydration, so the server's markup and the first client render match.
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

/** Runs `run` when the browser is next idle (at the latest after a second). */
function whenIdle(run: () => void) {
  if ('requestIdleCallback' in window) window.requestIdleCallback(run, { timeout: 1000 });
  else setTimeout(run, 1);
}

// The page has been idle once since it loaded: output that only the browser knows may now be drawn.
let idleReached = false;
let idleScheduled = false;
const idleListeners = new Set<() => void>();

function subscribeToIdle(listener: () => void): () => void {
  idleListeners.add(listener);
  if (!idleScheduled) {
    idleScheduled = true;
    whenIdle(() => {
      idleReached = true;
      for (const notify of idleListeners) notify();
    });
  }
  return () => idleListeners.delete(listener);
}

/**
 * False on the server, while hydrating and until the browser is first idle after the page loads;
 * true after. For output only the browser knows (its time zone) that need not delay the page.
 */
export function useAfterIdle(): boolean {
  return useSyncExternalStore(
    subscribeToIdle,
    () => idleReached,
    () => false,
  );
}

// The clock: the time of the last tick, or null while nothing reads it.
const listeners = new Set<() => void>();
let current: Date | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;
let starting = false;

function tick() {
  if (timer) clearTimeout(timer);
  timer = null;
  if (listeners.size === 0) return;
  current = new Date();
  for (const listener of listeners) listener();
  timer = setTimeout(tick, 1000 - (Date.now() % 1000));
}

function subscribeToClock(listener: () => void): () => void {
  listeners.add(listener);
  if (!timer && !starting) {
    starting = true;
    const begin = () => {
      idleListeners.delete(begin);
      starting = false;
      tick();
    };
    if (idleReached) begin();
    else subscribeToIdle(begin);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size > 0) return;
    if (timer) clearTimeout(timer);
    timer = null;
    current = null;
  };
}

/**
 * A value derived from the browser's clock; the component re-renders only when it changes. Null on
 * the server, while hydrating and until the clock has started; with `derive` null, always null and
 * no clock is read. `derive` returns a string, number or boolean (compared by value).
 */
export function useClock<T extends string | number | boolean>(derive: ((now: Date) => T) | null): T | null {
  return useSyncExternalStore(
    derive ? subscribeToClock : subscribeNever,
    () => (derive && current ? derive(current) : null),
    () => null,
  );
}

/**
 * The current time from the page's clock, re-read every `intervalMs` (whole seconds): null on the
 * server and until the clock starts, so hydration matches.
 */
export function useNow(intervalMs = 1000): Date | null {
  const step = intervalMs > 1000 ? intervalMs : 1;
  const tick = useClock((now) => now.getTime() - (now.getTime() % step));
  return tick === null ? null : new Date(tick);
}

/**
 * Whether `instant` (milliseconds since the epoch) has passed: null on the server and while
 * hydrating, then false until that moment, when one timer (not a tick every second) makes it true.
 */
export function useIsPast(instant: number | null): boolean | null {
  const isClient = useIsClient();
  const [passed, setPassed] = useState<number | null>(null);
  useEffect(() => {
    if (instant === null) return;
    const timer = setTimeout(() => setPassed(instant), Math.max(0, instant - Date.now()));
    return () => clearTimeout(timer);
  }, [instant]);
  if (!isClient) return null;
  if (instant === null) return false;
  return passed === instant || Date.now() > instant;
}
