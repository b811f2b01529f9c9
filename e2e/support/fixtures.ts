/**
 * Playwright fixtures for testing sessions: copy this file into your own project and adjust the
 * routes, labels and cookie names. docs/TESTING.md walks through each fixture.
 *
 *   import { expect, test } from './support/fixtures';
 *   test('a copied session cannot pay after logout', async ({ signedIn, copySession }) => { ... });
 *
 * Principles:
 * - Accounts are created per test through the public signup API, so tests never share a password, a
 *   balance or a session, and the suite can run against a deployment that other people use too.
 * - Signing in goes through the API (one request), not the form: the form has tests of its own.
 * - Nothing waits a fixed time. Expiry is produced (`expireAccessToken` drops the cookie, which is
 *   what the browser does at its Max-Age), renewal is awaited as a response (`waitForRenewal`), and
 *   where real time must pass on the server the wait names the deadline it waits for (`waitUntil`).
 */
import { randomUUID } from 'node:crypto';
import {
  test as base,
  expect,
  type APIRequestContext,
  type Browser,
  type BrowserContext,
  type Page,
  type Response,
} from '@playwright/test';
import { E2E_SERVERS, REVOCATION_PROJECT, SHORT_PROJECT, SHORT_SERVER_ENV, TEST_SERVER_ENV } from './servers';

export { expect };

export type Account = { email: string; password: string };

/** The demo users every deployment of this app has (seeded by `npm install` / `npm run db:seed`). */
export const DEMO_PASSWORD = 'correct horse battery staple';
export const DEMO_USERS = ['alice@example.com', 'bob@example.com'] as const;

/** Who lends money to `fundedAccount`: a demo user, or your own account on a shared deployment. */
const FUNDER: Account = {
  email: process.env.E2E_FUNDER_EMAIL ?? 'bob@example.com',
  password: process.env.E2E_FUNDER_PASSWORD ?? DEMO_PASSWORD,
};

/** A signed-in browser: its context (cookie jar), a page in it, and the account. */
export type SignedIn = { context: BrowserContext; page: Page; account: Account };

/** The state of a sensitive-action form after submitting, as the person sees it. */
export type SensitiveOutcome = 'done' | 'step-up' | 'session-ended';

type Fixtures = {
  /** A fresh account (zero balance) made through POST /api/auth/signup. */
  account: Account;
  /** A fresh account holding `FUNDED_AMOUNT`, lent by a demo user and paid back after the test. */
  fundedAccount: Account;
  /** `page` and `context`, signed in as `account` through the API. */
  signedIn: SignedIn;
  /** Signs any account in, in a new browser context (closed after the test). */
  signInAs: (account: Account) => Promise<SignedIn>;
  /** A second browser context holding the same cookies as `from`: the thief with a copy. */
  copySession: (from: BrowserContext) => Promise<{ context: BrowserContext; page: Page }>;
  /** Drops the access-token cookie, as the browser does when its Max-Age runs out. */
  expireAccessToken: (context: BrowserContext) => Promise<void>;
  /** Resolves with the renewal response (`/api/auth/refresh`) once `page` has renewed its session. */
  waitForRenewal: (page: Page) => Promise<Response>;  /**
   * Automatic: skips the test, with the reason, when its project's server is not there (a run against a
   * deployment that names no short-lifetime or revocation-list instance), before any other fixture
   * would send a request to that missing server.
   */
  serverForProject: void;
};

export const FUNDED_AMOUNT = '200.00';

/**
 * Creates an account through the public API; any test can use it, with or without the fixtures. Every
 * test makes its own accounts, so a run signs up a few hundred from one address: a deployment under
 * test needs SIGNUP_IP_MAX_ATTEMPTS raised (docs/TESTING.md, "Against a deployment").
 */
export async function createAccount(request: APIRequestContext, baseURL: string): Promise<Account> {
  const account = { email: `e2e-${randomUUID()}@example.com`, password: `e2e password ${randomUUID()}` };
  const response = await request.post('/api/auth/signup', { data: account, headers: { Origin: baseURL } });
  expect(
    response.status(),
    response.status() === 429
      ? `${baseURL} refused a signup with 429: its per-IP signup limit is spent. Start it with SIGNUP_IP_MAX_ATTEMPTS=${TEST_SERVER_ENV.SIGNUP_IP_MAX_ATTEMPTS} (docs/TESTING.md, "Against a deployment")`
      : 'signup',
  ).toBe(201);
  return account;
}

/**
 * Signs in through POST /api/auth/login inside `context`: the browser context's own cookie jar stores
 * the HttpOnly cookies exactly as the browser would (Secure cookies on http://localhost included).
 */
export async function signInThroughApi(context: BrowserContext, baseURL: string, account: Account): Promise<void> {
  const response = await context.request.post('/api/auth/login', {
    data: { email: account.email, password: account.password },
    headers: { Origin: baseURL },
  });
  expect(response.status(), `sign-in of ${account.email}`).toBe(200);
}

/** Signs in through the real form, as a person does, and waits for the page it leads to. */
export async function signInThroughForm(page: Page, account: Account, expectedPath = '/dashboard'): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === expectedPath);
}

/** Resolves once the page's scripts run (the header's navigation marks itself when hydrated). */
export async function appHydrated(page: Page): Promise<void> {
  await page.locator('nav.site-nav[data-hydrated]').waitFor();
}

export async function cookieNamed(context: BrowserContext, fragment: string) {
  return (await context.cookies()).find((cookie) => cookie.name.includes(fragment));
}

async function newSignedIn(browser: Browser, baseURL: string, account: Account): Promise<SignedIn> {
  const context = await browser.newContext({ baseURL });
  await signInThroughApi(context, baseURL, account);
  return { context, page: await context.newPage(), account };
}

/**
 * Fills and submits the payment form on /payments and reports what the person then sees. A step-up
 * prompt is answered with `confirmWith` when given.
 */
export async function sendPayment(
  page: Page,
  payment: { recipient: string; amount: string; confirmWith?: string },
): Promise<SensitiveOutcome> {
  await page.getByLabel('Recipient').fill(payment.recipient);
  await page.getByLabel('Amount').fill(payment.amount);
  await page.getByRole('button', { name: 'Send payment' }).click();
  const outcome = await sensitiveOutcome(page, /^Sent /);
  if (outcome !== 'step-up' || payment.confirmWith === undefined) return outcome;
  await confirmPassword(page, payment.confirmWith);
  // The prompt stays on screen while the waiting payment is sent: wait for its result, not the prompt.
  const done = page.getByRole('status').filter({ hasText: /^Sent / });
  const ended = page.getByRole('alert').filter({ hasText: 'Your session has ended' });
  const wrongPassword = page.locator('#password-error').filter({ hasText: /\S/ });
  await expect(done.or(ended).or(wrongPassword).first()).toBeVisible();
  if (await done.isVisible()) return 'done';
  return (await ended.isVisible()) ? 'session-ended' : 'step-up';
}

/** Answers the step-up prompt ("Confirm it is you") with a password. */
export async function confirmPassword(page: Page, password: string): Promise<void> {
  await expect(stepUpPrompt(page)).toBeVisible();
  await stepUpPrompt(page).getByLabel('Password', { exact: true }).fill(password);
  await stepUpPrompt(page).getByRole('button', { name: 'Confirm' }).click();
}

export function stepUpPrompt(page: Page) {
  return page.getByRole('region', { name: 'Confirm it is you' });
}

/**
 * What a sensitive-action form shows after a submit: success, a step-up prompt, "session ended", or
 * another refusal (a message in an alert or beside a field), which fails with that message.
 */
export async function sensitiveOutcome(page: Page, success: RegExp): Promise<SensitiveOutcome> {
  const done = page.getByRole('status').filter({ hasText: success });
  const stepUp = stepUpPrompt(page);
  const ended = page.getByRole('alert').filter({ hasText: 'Your session has ended' });
  // Next renders an empty role="alert" route announcer on every page: only alerts with text count.
  const refused = page.getByRole('alert').filter({ hasText: /\S/ }).or(page.locator('.field-error p'));
  await expect(done.or(stepUp).or(ended).or(refused).first()).toBeVisible();
  if (await done.isVisible()) return 'done';
  if (await ended.isVisible()) return 'session-ended';
  if (await stepUp.isVisible()) return 'step-up';
  throw new Error(`the action was refused: ${(await refused.allInnerTexts()).join(' / ')}`);
}

/**
 * Waits until the wall clock passes `deadline` (ms since the epoch). For the few checks where real
 * time must pass on the server (a grace window, a step-up window): the server's clock, not the
 * browser's, decides them, and nothing observable changes at that moment that could be awaited.
 */
export async function waitUntil(deadline: number): Promise<void> {
  const remaining = deadline - Date.now();
  if (remaining > 0) await new Promise((resolve) => setTimeout(resolve, remaining));
}

/** The short-lifetime server's windows, in milliseconds, for `waitUntil` deadlines. */
export const SHORT_WINDOWS = {
  graceMs: Number(SHORT_SERVER_ENV.REFRESH_REUSE_GRACE_SECONDS) * 1000,
  stepUpMs: Number(SHORT_SERVER_ENV.REAUTH_MAX_AGE_SECONDS) * 1000,
};

/**
 * Signs in through `signInAs` and gives a wait that ends once that sign-in's step-up window has closed
 * on the server. The deadline is taken after the sign-in returned, so it is past the window however
 * long the sign-in took; the caller can do its set-up in between.
 */
export async function signInThenStepUpExpiry<T extends { page: Page }>(signInAs: (account: Account) => Promise<T>, account: Account) {
  const signedIn = await signInAs(account);
  const closesAt = Date.now() + SHORT_WINDOWS.stepUpMs + 500;
  return { ...signedIn, stepUpExpired: () => waitUntil(closesAt) };
}

export const test = base.extend<Fixtures>({
  serverForProject: [
    async ({}, use, testInfo) => {
      const missing = missingServer(testInfo.project.name);
      testInfo.skip(missing !== null, missing ?? undefined);
      await use();
    },
    { auto: true },
  ],

  account: async ({ request, baseURL }, use) => {
    await use(await createAccount(request, baseURL!));
  },

  fundedAccount: async ({ browser, request, baseURL }, use) => {
    const account = await createAccount(request, baseURL!);
    const lender = await newSignedIn(browser, baseURL!, FUNDER);
    await lender.page.goto('/payments');
    // A payment right after sign-in needs no step-up; on the short server the window may have passed.
    const lent = await sendPayment(lender.page, { recipient: account.email, amount: FUNDED_AMOUNT, confirmWith: FUNDER.password });
    expect(lent, `the funder (${FUNDER.email}) could lend ${FUNDED_AMOUNT}`).toBe('done');
    try {
      await use(account);
    } finally {
      // Pay back what is left, so a shared deployment's demo money is not drained by test runs.
      const borrower = await newSignedIn(browser, baseURL!, account);
      await borrower.page.goto('/payments');
      const left = (await borrower.page.getByTestId('balance').textContent())?.replace(/[^\d.]/g, '') ?? '0';
      if (Number(left) > 0) {
        await sendPayment(borrower.page, { recipient: FUNDER.email, amount: left, confirmWith: account.password });
      }
      await borrower.context.close();
      await lender.context.close();
    }
  },

  signInAs: async ({ browser, baseURL }, use) => {
    const opened: BrowserContext[] = [];
    await use(async (account) => {
      const signedIn = await newSignedIn(browser, baseURL!, account);
      opened.push(signedIn.context);
      return signedIn;
    });
    await Promise.all(opened.map((context) => context.close()));
  },

  signedIn: async ({ context, page, account, baseURL }, use) => {
    await signInThroughApi(context, baseURL!, account);
    await use({ context, page, account });
  },

  copySession: async ({ browser, baseURL }, use) => {
    const opened: BrowserContext[] = [];
    await use(async (from) => {
      const copy = await browser.newContext({ baseURL });
      await copy.addCookies(await from.cookies());
      opened.push(copy);
      return { context: copy, page: await copy.newPage() };
    });
    await Promise.all(opened.map((context) => context.close()));
  },

  expireAccessToken: async ({}, use) => {
    await use(async (context) => {
      await context.clearCookies({ name: /access_token$/ });
    });
  },

  waitForRenewal: async ({}, use) => {
    await use((page) =>
      page.waitForResponse((response) => new URL(response.url()).pathname === '/api/auth/refresh' && response.status() < 400),
    );
  },
});

const NEEDS_SHORT_SERVER = `needs a deployment started with ${Object.entries(SHORT_SERVER_ENV)
  .map(([k, v]) => `${k}=${v}`)
  .join(' ')}: set E2E_SHORT_BASE_URL`;

/** Why a project has no server in this run, or null when it has one. */
function missingServer(projectName: string): string | null {
  if (projectName === SHORT_PROJECT && E2E_SERVERS.short === null) return NEEDS_SHORT_SERVER;
  if (projectName === REVOCATION_PROJECT && E2E_SERVERS.revocation === null) {
    return 'needs a revocation-list deployment (ACCESS_TOKEN_CHECK=revocation-list): set E2E_REVOCATION_BASE_URL';
  }
  return null;
}

/**
 * For suites that need the short-lifetime server: skips them, with the reason, when the suite points at
 * a deployment (E2E_BASE_URL) and no E2E_SHORT_BASE_URL names one started with SHORT_SERVER_ENV.
 */
export function requireShortLifetimes(): void {
  test.skip(E2E_SERVERS.short === null, NEEDS_SHORT_SERVER);
}
