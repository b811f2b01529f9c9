/**
 * The request context Next.js does not hand a handler: the TCP peer address (`peerAddress`) and the
 * time a request's access token is judged as of (`judgedAt`), read from headers that the server's own
 * hook (lib/request/request-context-hook.ts, installed by instrumentation.ts) stamps with a per-process
 * value no client can forge. No Node.js import, so the proxy may use it. Readers: lib/dal.ts and
 * app/api/auth/refresh/route.ts (`judgedAt`), proxy.ts (`arrivalStamp` for posts), request-meta.ts and
 * trusted-proxy.ts (`peerAddress`), lib/lab/copy-probes.ts (`ownServerOrigin`); server-actions.ts shares
 * the one `globalThis` registry. The wiring as diagrams: lib/request/request-context.md. Why:
 * docs/decisions/0040-peer-address-stamp.md, 0041-requests-judged-at-arrival.md, 0042-one-start-up-registry.md.
 */

/** What every request rule reads headers through: `Headers`, Next.js's `headers()`, or a test's stand-in. */
export type HeaderReader = { get(name: string): string | null };

export const PEER_ADDRESS_HEADER = 'x-app-peer-address';
/**
 * When the request arrived (ms since the epoch), stamped by the same hook: a GET's or HEAD's headers;
 * for a request with a body, the moment its body ended (absent until then).
 */
export const REQUEST_ARRIVAL_HEADER = 'x-app-request-arrival';

/** What the hook keeps on `globalThis`: the per-process stamp and the server's own listening origin. */
export type PeerAddressHookState = { stamp: string; ownOrigin?: string };

/**
 * What start-up leaves for the request path, in one `globalThis` entry: instrumentation, the proxy and
 * route handlers are bundled separately, but share one process (and so one `globalThis`).
 * - `peerAddressHook`: set once by lib/request/request-context-hook.ts when it installs the hook.
 * - `serverActions`: which page may call which action, set by lib/request/server-actions.ts
 *   `registerServerActions` (from the build's manifest, lib/request/server-action-manifest.ts).
 */
export type StartupRegistry = {
  peerAddressHook?: PeerAddressHookState;
  serverActions?: ReadonlyMap<string, ReadonlySet<string>>;
};

const REGISTRY = Symbol.for('nextjs-secure-sessions.startup-registry');
const holder = globalThis as unknown as { [REGISTRY]?: StartupRegistry };

/** This process's registry, created empty on first use. */
export function startupRegistry(): StartupRegistry {
  return (holder[REGISTRY] ??= {});
}

/** The installed hook's state, or undefined before lib/request/request-context-hook.ts installed it. */
export function peerAddressHookState(): PeerAddressHookState | undefined {
  return startupRegistry().peerAddressHook;
}

/** Called once by the hook's installer. */
export function setPeerAddressHookState(state: PeerAddressHookState): void {
  startupRegistry().peerAddressHook = state;
}

/** The socket's address if the hook stamped this request, else null (never a client-written value). */
export function peerAddress(headers: HeaderReader): string | null {
  const state = peerAddressHookState();
  const value = headers.get(PEER_ADDRESS_HEADER);
  if (!state || !value?.startsWith(`${state.stamp} `)) return null;
  return value.slice(state.stamp.length + 1) || null;
}

/**
 * The longest a request may be judged by its arrival time. A page renders in milliseconds to a couple
 * of seconds; a request older than this is judged by the clock, as if it had no stamp.
 */
export const MAX_REQUEST_AGE_MS = 30_000;

/**
 * The time to judge this request's access token by: when the request arrived, if the hook stamped it
 * (never a client-written value) and that was at most MAX_REQUEST_AGE_MS ago; otherwise `now`.
 *
 * Why: the proxy checks the token when the request arrives, and the page renders a moment later. A
 * token that expires in between (a page reload, or a payment whose answer re-renders the page, just as
 * the token runs out) would pass the proxy and then fail the page's own check, which redirects from
 * inside the render: the browser was left with an empty page, and a payment's "Sent" confirmation
 * was lost. Judging the whole request by its arrival gives every check in it one answer. It extends
 * no token's life beyond the request it arrived with: the next request is judged at its own arrival.
 * A request with a body has not arrived until its body has: judged by its headers, a client that held
 * the body back could keep a page rendering signed in after the token expired.
 * Sensitive actions are unaffected: they re-read the session row (lib/dal.ts `verifyLiveSession`).
 */
export function judgedAt(headers: HeaderReader, now: Date = new Date()): Date {
  const state = peerAddressHookState();
  const value = headers.get(REQUEST_ARRIVAL_HEADER);
  if (!state || !value?.startsWith(`${state.stamp} `)) return now;
  const arrival = Number(value.slice(state.stamp.length + 1));
  const age = now.getTime() - arrival;
  return Number.isSafeInteger(arrival) && age >= 0 && age <= MAX_REQUEST_AGE_MS ? new Date(arrival) : now;
}

/**
 * A valid arrival stamp for `ms`, for the proxy to hand a page the instant it checked a request with a
 * body, once that body had arrived (proxy.ts); null where the hook is not installed.
 */
export function arrivalStamp(ms: number): string | null {
  const state = peerAddressHookState();
  return state ? `${state.stamp} ${ms}` : null;
}

/** The origin of this server's own listening socket, once it has served a request; null otherwise. */
export function ownServerOrigin(): string | null {
  return peerAddressHookState()?.ownOrigin ?? null;
}
