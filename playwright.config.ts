import { existsSync } from 'node:fs';
import { chromium, defineConfig, devices } from '@playwright/test';
import { E2E_SERVERS } from './e2e/support/servers';

/**
 * End-to-end tests against real `next start` servers (built by `npm run test:e2e`) in a real Chromium.
 * Two servers share one build: `main` with default lifetimes, and `short` with a 2-second access token
 * so tests can watch expiry and renewal without waiting minutes. Each has its own fresh SQLite file.
 *
 * Browser: Playwright's own Chromium when installed, else Debian's (`apt-get install chromium`): this
 * machine cannot download browsers. Detected, not hard-coded.
 */
function chromiumExecutable(): string | undefined {
  if (process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE) return process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE;
  if (existsSync(chromium.executablePath())) return undefined;
  return ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));
}

const executablePath = chromiumExecutable();

export default defineConfig({
  testDir: './e2e',
  fullyParallel: false,
  workers: 2,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list']],
  timeout: 30_000,
  expect: { timeout: 7_000 },
  use: {
    ...devices['Desktop Chrome'],
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  projects: [
    {
      name: 'main',
      testIgnore: /\.short\.spec\.ts$/,
      use: { baseURL: E2E_SERVERS.main.url },
    },
    {
      name: 'short-lived-tokens',
      testMatch: /\.short\.spec\.ts$/,
      use: { baseURL: E2E_SERVERS.short.url },
    },
  ],
  webServer: Object.values(E2E_SERVERS).map((server) => ({
    command: `node --conditions=react-server --import tsx e2e/support/reset-database.ts && next start --port ${server.port}`,
    url: `${server.url}/login`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'ignore' as const,
    stderr: 'pipe' as const,
    env: { ...server.env, NEXT_TELEMETRY_DISABLED: '1' },
  })),
});
