/**
 * Start-up checks for the Node.js server (see instrumentation.ts): refuse to start on bad
 * configuration with a one-line reason instead of failing on the first sign-in, and do slow one-time
 * work before the first request instead of during it.
 */
import 'server-only';
import { ConfigError, getConfig, type Config } from './config/config';

/** `npm install` names the key it generates `dev-<date>`; such a key must never sign production tokens. */
export const DEVELOPMENT_KEY_PREFIX = 'dev-';

export function configurationProblem(config: Config, nodeEnv: string | undefined): string | null {
  if (nodeEnv === 'production' && config.ACCESS_TOKEN_KEYS.some((key) => key.kid.startsWith(DEVELOPMENT_KEY_PREFIX))) {
    return 'ACCESS_TOKEN_KEYS holds a development key (generated into .env.local by npm install); set production keys (see README, "Configuration")';
  }
  return null;
}

export function assertConfigurationOrExit(): void {
  let problem: string | null;
  try {
    problem = configurationProblem(getConfig(), process.env.NODE_ENV);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problem = error.message;
  }
  if (problem) {
    console.error(`Refusing to start: ${problem}`);
    process.exit(1);
  }
}

/**
 * The dummy hash that unknown emails are verified against is computed now, so the first sign-in with
 * an unknown email does not take measurably longer than one with a known email (enumeration by timing).
 */
export async function warmUp(): Promise<void> {
  const { getDummyPasswordHash } = await import('./auth/password-hashing');
  await getDummyPasswordHash();
}

/**
 * Housekeeping on a fixed schedule in each server process, never a dice roll inside a request (that
 * would make a random request pay for pruning). The first run is one interval after start; runs never
 * overlap within a process. Several
 * instances each running it is harmless: pruning is idempotent (lib/housekeeping.ts). The timer is
 * unref'd so it never keeps a process alive. Returns a stop function, or null when switched off (0).
 */
export function startHousekeeping(
  intervalSeconds = getConfig().HOUSEKEEPING_INTERVAL_SECONDS,
  prune: () => Promise<unknown> = async () => (await import('./housekeeping')).pruneExpiredRecords(),
): (() => void) | null {
  if (intervalSeconds === 0) return null;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    prune()
      .catch((error) => console.error('Housekeeping failed', error))
      .finally(() => {
        running = false;
      });
  }, intervalSeconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
