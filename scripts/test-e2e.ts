/**
 * `npm run test:e2e [-- playwright args]`: builds the app, then runs Playwright, which starts two
 * `next start` servers from that build (playwright.config.ts). With E2E_BASE_URL set, the suite runs
 * against that deployment instead, so nothing is built or started here.
 */
import { spawnSync } from 'node:child_process';

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { stdio: 'inherit', env: process.env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const bin = (name: string) => `node_modules/.bin/${name}`;
if (!process.env.E2E_BASE_URL) run(bin('next'), ['build']);
run(bin('playwright'), ['test', ...process.argv.slice(2)]);
