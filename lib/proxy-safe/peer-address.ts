/**
 * Reading the TCP peer address that lib/http/peer-address.ts stamps on every request, with no Node.js
 * import, so the proxy's origin rule (lib/proxy-safe/origin.ts) can ask "did this request come from the
 * trusted reverse proxy?" as well as route handlers can. Installing the stamp (which patches
 * `net.Server`) stays in lib/http/peer-address.ts; why the stamp exists is explained there.
 */

export const PEER_ADDRESS_HEADER = 'x-app-peer-address';

/** What the hook keeps on `globalThis`: the per-process stamp and the server's own listening origin. */
export type PeerAddressHookState = { stamp: string; ownOrigin?: string };

// On globalThis: instrumentation, the proxy and route handlers are bundled separately, but share one process.
const STATE = Symbol.for('nextjs-secure-sessions.peer-address');
const registry = globalThis as unknown as { [STATE]?: PeerAddressHookState };

/** The installed hook's state, or undefined before lib/http/peer-address.ts installed it. */
export function peerAddressHookState(): PeerAddressHookState | undefined {
  return registry[STATE];
}

/** Called once by the hook's installer. */
export function setPeerAddressHookState(state: PeerAddressHookState): void {
  registry[STATE] = state;
}

/** The socket's address if the hook stamped this request, else null (never a client-written value). */
export function peerAddress(headers: { get(name: string): string | null }): string | null {
  const state = registry[STATE];
  const value = headers.get(PEER_ADDRESS_HEADER);
  if (!state || !value?.startsWith(`${state.stamp} `)) return null;
  return value.slice(state.stamp.length + 1) || null;
}

/** The origin of this server's own listening socket, once it has served a request; null otherwise. */
export function ownServerOrigin(): string | null {
  return registry[STATE]?.ownOrigin ?? null;
}
