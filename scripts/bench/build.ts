/**
 * The benchmark measures the build, so a build older than the source would measure old code, and a
 * default build lacks the routes it measures: it builds first (a bench build, bench-build.ts) when
 * `.next/BUILD_ID` is missing, older than any file the build is made from, or not a bench build.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { BENCH_BUILD_ENV, isBenchBuild } from './bench-build';

/** The newest modification time under `entries` (files or folders), in ms. */
function newestSource(entries: string[]): number {
  let newest = 0;
  const visit = (entry: string) => {
    if (!existsSync(entry)) return;
    const stat = statSync(entry);
    if (stat.isDirectory()) for (const child of readdirSync(entry)) visit(path.join(entry, child));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  entries.forEach(visit);
  return newest;
}

export function buildIfNeeded(log: (line: string) => void): void {
  const buildId = '.next/BUILD_ID';
  const sources = ['app', 'lib', 'proxy.ts', 'instrumentation.ts', 'next.config.js', 'package.json'];
  if (existsSync(buildId) && statSync(buildId).mtimeMs > newestSource(sources) && isBenchBuild()) return;
  log('The build is missing, older than the source or no bench build: BENCH_ROUTES=1 next build');
  const result = spawnSync(process.execPath, ['node_modules/next/dist/bin/next', 'build'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...BENCH_BUILD_ENV },
  });
  if (result.status !== 0) throw new Error('next build failed');
}
