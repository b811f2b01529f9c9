/**
 * `npm run screenshots`: pictures of the main pages for README, made by code so they stay current.
 *
 * 1. Builds the app when there is no build or a source file is newer than it (`--build` forces one).
 * 2. Starts `next start` on a free port with a fresh, seeded database under e2e/.tmp/ (git-ignored) and
 *    a throwaway signing key; stops it (its whole process group) at the end.
 * 3. Makes a little history through the app itself (alice and bob pay each other through the form),
 *    signs in as alice and writes PNGs to docs/screenshots/: every page at desktop width (1280 px) and
 *    phone width (375 px), light theme, plus dark versions of the signed-in pages.
 *
 * Options: `--all` writes every page in every width and theme (for reviewing the look);
 * `--out DIR` writes somewhere else. Pages that answer 404 (a page not built yet) are skipped.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { launchChromium } from './lib/chromium';
import { freePort, waitUntilServing } from './lib/local-server';
import { signalGroup } from './lib/process-group';

type Shot = {
  name: string;
  path: string;
  signedIn: boolean;
  /** Runs after the page loaded: puts it in the state worth showing. */
  prepare?: (page: Page) => Promise<void>;
  /** In the default set at dark too (the --all set has every page in both themes). */
  dark?: boolean;
};

/** The pages, in README order. Add a line for a new page. */
const SHOTS: Shot[] = [
  { name: 'home', path: '/', signedIn: false },
  { name: 'sign-in', path: '/login', signedIn: false },
  { name: 'sign-up', path: '/signup', signedIn: false },
  { name: 'dashboard', path: '/dashboard', signedIn: true, dark: true },
  { name: 'payments', path: '/payments', signedIn: true, dark: true },
  { name: 'sessions', path: '/sessions', signedIn: true },
  { name: 'activity', path: '/activity', signedIn: true },
  { name: 'lab', path: '/lab', signedIn: true },
  { name: 'password', path: '/settings/password', signedIn: true },
  { name: 'not-found', path: '/no-such-page', signedIn: false },
];

const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 375, height: 740 },
} as const;

const DEMO = { alice: 'alice@example.com', bob: 'bob@example.com', password: 'correct horse battery staple' };

const args = process.argv.slice(2);
const ALL = args.includes('--all');
const outIndex = args.indexOf('--out');
const OUT_DIR = path.resolve(outIndex >= 0 ? args[outIndex + 1] : 'docs/screenshots');
const DATABASE_FILE = 'e2e/.tmp/screenshots.db';

function run(command: string, commandArgs: string[], env: NodeJS.ProcessEnv = process.env): void {
  const result = spawnSync(command, commandArgs, { stdio: 'inherit', env });
  if (result.status !== 0) throw new Error(`${command} ${commandArgs.join(' ')} failed`);
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

function buildIsStale(): boolean {
  const buildId = '.next/BUILD_ID';
  if (!existsSync(buildId)) return true;
  const sources = Math.max(...['app', 'lib', 'public'].map(newestMtime), statSync('proxy.ts').mtimeMs);
  return sources > statSync(buildId).mtimeMs;
}

async function signIn(context: BrowserContext, baseURL: string, email: string): Promise<void> {
  const response = await context.request.post('/api/auth/login', {
    data: { email, password: DEMO.password },
    headers: { Origin: baseURL },
  });
  if (!response.ok()) throw new Error(`sign-in of ${email}: ${response.status()}`);
}

/**
 * Sends a payment through the form, as a person would. Signed in over the API, the session is not bound
 * to this browser, so the password goes with each payment (UNBOUND_SESSION_POLICY), typed into the prompt.
 */
async function pay(page: Page, recipient: string, amount: string): Promise<void> {
  await page.goto('/payments');
  await page.getByLabel('Recipient').fill(recipient);
  await page.getByLabel('Amount').fill(amount);
  await page.getByRole('button', { name: 'Send payment' }).click();
  const prompt = page.getByRole('region', { name: 'Confirm it is you' });
  await prompt.getByLabel('Password', { exact: true }).fill(DEMO.password);
  await prompt.getByRole('button', { name: /^Confirm and send/ }).click();
  await page.getByRole('status').filter({ hasText: /^Sent / }).waitFor();
}

async function main(): Promise<void> {
  if (args.includes('--build') || buildIsStale()) {
    console.log('screenshots: building');
    run('node_modules/.bin/next', ['build'], { ...process.env, NEXT_TELEMETRY_DISABLED: '1' });
  }
  const { server, baseURL } = await startServer();
  const browser = await launchChromium();
  try {
    await waitUntilServing(baseURL, server);
    mkdirSync(OUT_DIR, { recursive: true });
    await makeHistory(browser, baseURL);
    const written = await shootAll(browser, baseURL);
    console.log(`screenshots: wrote ${written} images to ${path.relative(process.cwd(), OUT_DIR) || '.'}`);
  } finally {
    await browser.close();
    if (server.pid) signalGroup(server.pid, 'SIGTERM');
  }
}

/** `next start` on a free port with a fresh, seeded database and a throwaway signing key. */
async function startServer(): Promise<{ server: ChildProcess; baseURL: string }> {
  const port = await freePort();
  const env = {
    ...process.env,
    NEXT_TELEMETRY_DISABLED: '1',
    DATABASE_URL: `file:./${DATABASE_FILE}`,
    ACCESS_TOKEN_KEYS: `screenshots:${randomBytes(32).toString('base64url')}`,
  };
  run('node', ['--conditions=react-server', '--import', 'tsx', 'e2e/support/reset-database.ts'], env);
  // Its own process group, so stopping it stops the next-server child too (a plain kill leaves that child
  // holding the port).
  const server = spawn('node_modules/.bin/next', ['start', '--port', String(port)], { env, detached: true, stdio: 'ignore' });
  return { server, baseURL: `http://localhost:${port}` };
}

/** History worth showing: a few payments both ways, made through the app. */
async function makeHistory(browser: Browser, baseURL: string): Promise<void> {
  const bob = await browser.newContext({ baseURL });
  await signIn(bob, baseURL, DEMO.bob);
  await pay(await bob.newPage(), DEMO.alice, '75');
  await bob.close();
  const alice = await browser.newContext({ baseURL });
  await signIn(alice, baseURL, DEMO.alice);
  const alicePage = await alice.newPage();
  for (const amount of ['12.50', '250', '4.20']) await pay(alicePage, DEMO.bob, amount);
  await alice.close();
}

/** Every shot in every width and theme chosen (all of them with --all); returns how many were written. */
async function shootAll(browser: Browser, baseURL: string): Promise<number> {
  let written = 0;
  for (const scheme of ['light', 'dark'] as const) {
    for (const [width, viewport] of Object.entries(VIEWPORTS)) {
      const context = await browser.newContext({ baseURL, viewport, colorScheme: scheme, deviceScaleFactor: 1 });
      await signIn(context, baseURL, DEMO.alice);
      const visitor = await browser.newContext({ baseURL, viewport, colorScheme: scheme, deviceScaleFactor: 1 });
      for (const shot of SHOTS) {
        if (!ALL && scheme === 'dark' && !(shot.dark && width === 'desktop')) continue;
        const file = path.join(OUT_DIR, `${shot.name}-${width}${scheme === 'dark' ? '-dark' : ''}.png`);
        if (await shoot(shot.signedIn ? context : visitor, shot, file)) written++;
      }
      await context.close();
      await visitor.close();
    }
  }
  return written;
}

/** One page to `file`; false when it answers 404 (a page not built yet), except the not-found page itself. */
async function shoot(context: BrowserContext, shot: Shot, file: string): Promise<boolean> {
  const page = await context.newPage();
  const response = await page.goto(shot.path);
  if (response?.status() === 404 && shot.name !== 'not-found') {
    await page.close();
    return false;
  }
  // Hydrated: the header's menu marks itself once script runs (times switch to local then too).
  await page.locator('nav.site-nav[data-hydrated]').waitFor();
  await shot.prepare?.(page);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled', caret: 'hide' });
  await page.close();
  return true;
}

await main();
