/**
 * Runs once when a server starts (`next dev` or `next start`): configuration is validated before the
 * first request. `npm install` writes a development key to .env.local; production sets
 * ACCESS_TOKEN_KEYS itself, and without it (or with the development key) the server refuses to start.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { assertConfigurationOrExit, warmUp } = await import('./lib/startup');
    assertConfigurationOrExit();
    await warmUp();
  }
}
