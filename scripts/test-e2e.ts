/**
 * `npm run test:e2e [-- --bench-build] [-- playwright args]`: builds the app, then runs Playwright,
 * which starts five `next start` servers from that build (playwright.config.ts). `--bench-build` makes
 * it the benchmark's build (`BENCH_ROUTES=1`, which only adds the benchmark's routes:
 * docs/decisions/0021-benchmark-routes-only-in-a-bench-build.md), so `npm test` builds once for the
 * end-to-end suite, the benchmark and the cluster test. With E2E_BASE_URL set, the suite runs against
 * that deployment instead, so nothing is built or started here.
 */
import { spawnSync } from 'node:child_process';
import { BENCH_BUILD_ENV } from './bench/bench-build';

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const args = process.argv.slice(2);
const benchBuild = args.includes('--bench-build');
const bin = (name: string) => `node_modules/.bin/${name}`;
if (!process.env.E2E_BASE_URL) run(bin('next'), ['build'], benchBuild ? { ...process.env, ...BENCH_BUILD_ENV } : process.env);
run(bin('playwright'), ['test', ...args.filter((arg) => arg !== '--bench-build')]);
