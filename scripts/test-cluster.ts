/**
 * `npm run test:cluster [-- --reuse-build] [files]`: the cross-instance test (tests/cluster/*.test.ts).
 * Builds first (a build left from before a change would test old code), unless `--reuse-build` says the
 * build is fresh (`npm test` passes it: its end-to-end step has just built), then runs the files with node's test runner; each file starts its own throwaway PostgreSQL
 * and three `next start` instances behind nginx (scripts/lib/cluster.ts). Needs Debian's `postgresql`
 * and `nginx` packages. Without nginx it prints one line naming the install command and passes, so
 * `npm test` works on a machine without it; with CI=true a missing nginx fails the run instead, so CI
 * can never pass without having run the cross-instance test.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { NGINX } from './lib/cluster';

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { stdio: 'inherit', env: process.env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (!existsSync(NGINX)) {
  const missing = `test:cluster: nginx is not installed (${NGINX}): apt-get install -y nginx, or set NGINX_BINARY`;
  const ci = process.env.CI === 'true' || process.env.CI === '1';
  if (ci) {
    console.error(`${missing}. CI=true: failing, the cross-instance test must run in CI.`);
    process.exit(1);
  }
  console.log(`${missing}. Skipped the cross-instance test.`);
  process.exit(0);
}

const args = process.argv.slice(2);
const reuseBuild = args.includes('--reuse-build');
if (!reuseBuild || !existsSync('.next/BUILD_ID')) run('node_modules/.bin/next', ['build']);
const requested = args.filter((arg) => arg !== '--reuse-build');
const files = requested.length > 0 ? requested : readdirSync('tests/cluster').filter((f) => f.endsWith('.test.ts')).map((f) => path.join('tests/cluster', f));
run(process.execPath, ['--conditions=react-server', '--import', 'tsx', '--test', '--test-concurrency=1', ...files]);
