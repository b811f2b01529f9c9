/**
 * Runs before `next start` (`npm start`): validates the configuration exactly as the server will
 * (lib/config/config.ts, and lib/startup.ts's refusal of the development key) and exits non-zero
 * with one line before anything listens. The server's own check (instrumentation.ts) still runs, but
 * Next.js prints "Ready" before it does, so on its own a refused start looked like a started one.
 *
 * Env files are loaded the way `next start` loads them (@next/env, production mode), so a key in
 * .env.local or .env.production counts, and so does the development key npm install writes there.
 */
import nextEnv from '@next/env';
import { ConfigError, parseConfig } from '../lib/config/config';
import { configurationProblem } from '../lib/startup';

/** The one command that gives a server a signing key of its own (README, "Rotating signing keys"). */
const KEY_FIX =
  'ACCESS_TOKEN_KEYS="prod-1:$(node -e "console.log(require(\'crypto\').randomBytes(32).toString(\'base64url\'))")" npm start';

function startupProblem(env: Record<string, string | undefined>): string | null {
  let problem: string | null;
  try {
    // `next start` always runs with NODE_ENV=production, whatever the shell says.
    problem = configurationProblem(parseConfig(env), 'production');
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problem = error.message;
  }
  if (!problem) return null;
  return problem.includes('ACCESS_TOKEN_KEYS') ? `${problem}. Fix: ${KEY_FIX}` : problem;
}

nextEnv.loadEnvConfig(process.cwd(), false, { info: () => {}, error: console.error });
const problem = startupProblem(process.env);
if (problem) {
  console.error(`Refusing to start: ${problem}`);
  process.exit(1);
}
