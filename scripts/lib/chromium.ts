/**
 * A Chromium for the scripts that draw images (brand images, screenshots): Playwright's own when
 * installed, else Debian's, or PLAYWRIGHT_CHROMIUM_EXECUTABLE. Same rules as playwright.config.ts.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from '@playwright/test';

export function chromiumExecutable(): string | undefined {
  if (process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE) return process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE;
  if (existsSync(chromium.executablePath())) return undefined;
  return ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumExecutable(),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
