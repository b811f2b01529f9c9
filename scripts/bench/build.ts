/**
 * The benchmark measures the build, so a build older than the source would measure old code: it builds
 * first when `.next/BUILD_ID` is missing or older than any file the build is made from.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

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
  if (existsSync(buildId) && statSync(buildId).mtimeMs > newestSource(sources)) return;
  log('The build is missing or older than the source: next build');
  const result = spawnSync(process.execPath, ['node_modules/next/dist/bin/next', 'build'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  if (result.status !== 0) throw new Error('next build failed');
}
