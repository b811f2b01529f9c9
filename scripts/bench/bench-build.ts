/**
 * The benchmark measures routes that only a bench build has (app/probe/, and the proxy's lines for
 * them): `BENCH_ROUTES=1 next build` (next.config.js). A default build, such as the one `npm run build`
 * or the end-to-end suite leaves in .next, is rebuilt, never measured with its probes missing.
 */
import { existsSync, readFileSync } from 'node:fs';

/** The environment `next build` needs for a bench build. */
export const BENCH_BUILD_ENV = { BENCH_ROUTES: '1' } as const;

/** Whether the build in .next was made with BENCH_ROUTES=1, read from the configuration it saved. */
export function isBenchBuild(distDir = '.next'): boolean {
  const saved = `${distDir}/required-server-files.json`;
  if (!existsSync(saved)) return false;
  const { config } = JSON.parse(readFileSync(saved, 'utf8')) as { config?: { compiler?: { defineServer?: Record<string, unknown> } } };
  return config?.compiler?.defineServer?.['process.env.BENCH_ROUTES'] === '1';
}
