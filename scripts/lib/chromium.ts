/**
 * The Chromium for the e2e tests (playwright.config.ts) and for the scripts that draw images (brand
 * images, screenshots): PLAYWRIGHT_CHROMIUM_EXECUTABLE when set, else Playwright's own when installed,
 * else Debian's (`apt-get install chromium`): this machine cannot download browsers. Detected, not hard-coded.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from '@playwright/test';

export function chromiumExecutable(): string | undefined {
  if (process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE) return process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE;
  if (existsSync(chromium.executablePath())) return undefined;
  return ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));
}

/** Flags for a headless Chromium in a container: no sandbox or GPU, small /dev/shm, no background traffic. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });
}
