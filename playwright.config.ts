import { defineConfig, devices } from '@playwright/test';
import { DBSC_PROJECT, E2E_SERVERS, OWN_SERVERS, REVOCATION_PROJECT, SHORT_PROJECT } from './e2e/support/servers';
import { CHROMIUM_ARGS, chromiumExecutable, dbscLaunchOptions } from './scripts/lib/chromium';

/**
 * End-to-end tests in a real Chromium against real `next start` servers (built by `npm run test:e2e`),
 * or against a deployment named by E2E_BASE_URL: see e2e/support/servers.ts. Retries are off: a flaky
 * test is a bug to fix, not to hide. Failures keep a trace and a screenshot (test-results/) and an HTML
 * report (playwright-report/, open with `npx playwright show-report`); both folders are git-ignored.
 *
 * Browser: Playwright's own Chromium when installed, else Debian's: see scripts/lib/chromium.ts.
 *
 * Every test is independent (its own accounts and sessions), so tests of one file run on both workers
 * (`fullyParallel`): without it a file's tests ran in one worker, and the accessibility file alone
 * outlasted everything else. A file that shares state between its tests says so with
 * `test.describe.configure({ mode: 'serial' })` (e2e/request-edges.spec.ts, which starts its own server).
 */

export default defineConfig({
  testDir: './e2e',
  fullyParallel: true,
  workers: 2,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  timeout: 30_000,
  expect: { timeout: 7_000 },
  use: {
    ...devices['Desktop Chrome'],
    // No trace by default: recording one in every test, to keep the failing ones, was a fifth to a third
    // of the suite's CPU (docs/decisions/0109-e2e-traces-on-request.md). A failure still leaves its
    // screenshot and the page's state (error-context.md); `npm run test:e2e -- --trace on` records them.
    trace: 'off',
    screenshot: 'only-on-failure',
    launchOptions: { executablePath: chromiumExecutable(), args: CHROMIUM_ARGS },
  },
  projects: [
    {
      name: 'main',
      testIgnore: [/\.(short|revocation)\.spec\.ts$/, /\/dbsc\.spec\.ts$/],
      use: { baseURL: E2E_SERVERS.main.url },
    },
    {
      name: SHORT_PROJECT,
      testMatch: /\.short\.spec\.ts$/,
      // Without a short-lifetime deployment these suites skip themselves with a message, before any
      // fixture calls the missing server (`serverForProject` in e2e/support/fixtures.ts).
      use: { baseURL: E2E_SERVERS.short?.url },
    },
    {
      // ACCESS_TOKEN_CHECK=revocation-list: the lab in that mode, and two servers on one database.
      name: REVOCATION_PROJECT,
      testMatch: [/lab\.short\.spec\.ts$/, /\.revocation\.spec\.ts$/],
      use: { baseURL: E2E_SERVERS.revocation?.url },
    },
    {
      // Device Bound Session Credentials: the `dbsc` server behind its https front, and a Chromium with
      // DBSC on that accepts the front's throwaway certificate (e2e/support/tls-front.ts).
      name: DBSC_PROJECT,
      testMatch: /\/dbsc\.spec\.ts$/,
      use: {
        baseURL: E2E_SERVERS.dbsc?.url,
        launchOptions: dbscLaunchOptions(E2E_SERVERS.dbsc?.start?.tls?.certificate.spkiHash),
      },
    },
  ],
  // The suite's own servers, started together (e2e/support/start-servers.ts); none against a deployment.
  webServer: OWN_SERVERS
    ? {
        command: 'node --conditions=react-server --import tsx e2e/support/start-servers.ts',
        wait: { stdout: /e2e servers ready/ },
        timeout: 120_000,
        stdout: 'ignore',
        stderr: 'pipe',
      }
    : undefined,
});
