/**
 * `npm run test:cluster`: the cross-instance test (tests/cluster/*.test.ts). Builds first when there is
 * no build, then runs the files with node's test runner; each file starts its own throwaway PostgreSQL
 * and three `next start` instances behind nginx (scripts/lib/cluster.ts). Needs Debian's `postgresql`
 * and `nginx` packages.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { stdio: 'inherit', env: process.env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (!existsSync('.next/BUILD_ID')) run('node_modules/.bin/next', ['build']);
const requested = process.argv.slice(2);
const files = requested.length > 0 ? requested : readdirSync('tests/cluster').filter((f) => f.endsWith('.test.ts')).map((f) => path.join('tests/cluster', f));
run(process.execPath, ['--conditions=react-server', '--import', 'tsx', '--test', '--test-concurrency=1', ...files]);
