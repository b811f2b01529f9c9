/**
 * The Chromium for the e2e tests (playwright.config.ts) and for the scripts that draw images (brand
 * images, screenshots): PLAYWRIGHT_CHROMIUM_EXECUTABLE when set, else Playwright's own when installed,
 * else Debian's: this machine cannot download browsers. Detected, not hard-coded.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from '@playwright/test';

/**
 * Debian's headless shell (`apt-get install chromium-headless-shell`): what Playwright itself runs for a
 * headless test, the same Blink and V8 without the browser around them. The suite ran a third faster
 * with it than with the full browser (docs/decisions/0105-tests-in-the-headless-shell.md).
 */
const DEBIAN_HEADLESS_SHELL = '/usr/bin/chromium-headless-shell';

/** Debian's full browser (`apt-get install chromium`): where the shell is missing, and for DBSC. */
const DEBIAN_BROWSER = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

export function chromiumExecutable(): string | undefined {
  return firstInstalled([DEBIAN_HEADLESS_SHELL, ...DEBIAN_BROWSER]);
}

/** The full browser, for what the headless shell does not do (DBSC): as above, skipping the shell. */
function fullBrowserExecutable(): string | undefined {
  return firstInstalled(DEBIAN_BROWSER);
}

/** PLAYWRIGHT_CHROMIUM_EXECUTABLE, else undefined for Playwright's own when installed, else the first of `debian` present. */
function firstInstalled(debian: string[]): string | undefined {
  if (process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE) return process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE;
  if (existsSync(chromium.executablePath())) return undefined;
  return debian.find((path) => existsSync(path));
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

/**
 * Device Bound Session Credentials in a Chromium without a TPM, for the DBSC browser test
 * (docs/decisions/0101-dbsc-in-chromium.md): DBSC with software keys (testing only), without the
 * signing quota, which would cut off a bound cookie of a few seconds that is refreshed on every request.
 */
export const DBSC_FEATURES = 'DeviceBoundSessions:RefreshQuota/false,EnableBoundSessionCredentialsSoftwareKeysForManualTesting';

/**
 * Launch options for the DBSC browser test: DBSC_CHROMIUM names another Chromium, else the suite's;
 * `spkiHash` is the test certificate's, the one key Chromium then accepts without a trusted issuer.
 * Playwright's own Chromium runs headless as its separate headless shell, which is not the browser
 * DBSC was checked in; `channel: 'chromium'` runs its full build in Chrome's headless mode instead,
 * as Debian's is run.
 */
export function dbscLaunchOptions(spkiHash: string | undefined) {
  const executablePath = process.env.DBSC_CHROMIUM || fullBrowserExecutable();
  return {
    ...(executablePath ? { executablePath } : { channel: 'chromium' }),
    args: [...CHROMIUM_ARGS, `--enable-features=${DBSC_FEATURES}`, ...(spkiHash ? [`--ignore-certificate-errors-spki-list=${spkiHash}`] : [])],
  };
}
