/**
 * Runs once when a server starts (`next dev` or `next start`), before the first request: refuses to
 * start on bad configuration (production must set ACCESS_TOKEN_KEYS, never the development key that
 * `npm install` writes to .env.local), installs the request hook (lib/request/request-context-hook.ts:
 * the socket address for the per-IP limits, the arrival time, 405 for unserved methods), registers for
 * the proxy what it cannot import (the build's server actions, lib/request/server-action-manifest.ts;
 * in revocation-list mode, lib/session/revocation-list.ts), and schedules housekeeping (lib/startup.ts).
 * What the hook stamps and who reads it: lib/request/request-context.md.
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
