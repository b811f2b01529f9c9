/**
 * Runs once when a server starts (`next dev` or `next start`): configuration is validated before the
 * first request. `npm install` writes a development key to .env.local; production sets
 * ACCESS_TOKEN_KEYS itself, and without it (or with the development key) the server refuses to start.
 * Then: the socket's address is stamped on every request for the per-IP limits
 * (lib/request/request-context-hook.ts), whose hook also answers methods a path does not serve
 * (lib/request/request-edge.ts); the build's server actions are registered for the proxy
 * (lib/request/server-action-manifest.ts); in revocation-list mode the revocation list is registered for the proxy
 * (lib/session/revocation-list.ts), and housekeeping is scheduled (lib/startup.ts).
 */
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { assertConfigurationOrExit, startHousekeeping, warmUp } = await import('./lib/startup');
    const { installPeerAddressHook } = await import('./lib/request/request-context-hook');
    assertConfigurationOrExit();
    installPeerAddressHook();
    // Which page may call which server action, for the proxy's check of posts to pages.
    const { registerBuiltServerActions } = await import('./lib/request/server-action-manifest');
    registerBuiltServerActions();
    // The proxy cannot import database code; in revocation-list mode it finds the list on globalThis.
    const { getConfig } = await import('./lib/config/config');
    if (getConfig().ACCESS_TOKEN_CHECK === 'revocation-list') {
      const { revocationList } = await import('./lib/session/revocation-list');
      revocationList();
    }
    await warmUp();
    // `next build` may load this file too; it serves nobody and must not prune anything.
    if (process.env.NEXT_PHASE !== 'phase-production-build') startHousekeeping();
  }
}
