/**
 * Every page and every error and confirmation state, at 1280 px and at 375 px, checked with axe-core in
 * the light and the dark theme against axe's WCAG 2.2 AA rules (zero violations allowed), with nothing
 * scrolling sideways. The step-up prompt needs the short step-up window: accessibility.short.spec.ts.
 *
 * To check a new page, add one line to PAGES; a new state of a form, one entry to STATES.
 */
import type { APIRequestContext, Browser, Page } from '@playwright/test';
import { expectNoSidewaysScroll, expectNoViolationsInEitherTheme } from './support/accessibility';
import { appHydrated, createAccount, expect, signInThroughApi, stepUpPrompt, test, type Account } from './support/fixtures';

/** Who looks at the page: nobody, a fresh account (no money), or an account holding $200.00. */
type Viewer = 'visitor' | 'signed-in' | 'funded';

type Check = {
  name: string;
  path: string;
  as: Viewer;
  /** Puts the page in the state to check, after it loaded (fills a form, submits, waits for the answer). */
  reach?: (page: Page, ctx: { account: Account; other: () => Promise<Account> }) => Promise<void>;
};

const PAGES: Check[] = [
  { name: 'home', path: '/', as: 'visitor' },
  { name: 'home, signed in', path: '/', as: 'signed-in' },
  { name: 'sign in', path: '/login', as: 'visitor' },
  { name: 'create account', path: '/signup', as: 'visitor' },
  { name: 'page not found', path: '/no-such-page', as: 'visitor' },
  { name: 'dashboard', path: '/dashboard', as: 'signed-in' },
  { name: 'payments, no money yet', path: '/payments', as: 'signed-in' },
  { name: 'payments, with history', path: '/payments', as: 'funded' },
  { name: 'change password', path: '/settings/password', as: 'signed-in' },
  { name: 'sessions', path: '/sessions', as: 'signed-in' },
  { name: 'activity', path: '/activity', as: 'signed-in' },
  { name: 'activity, a bad page link', path: '/activity?before=not-a-cursor', as: 'signed-in' },
  { name: 'lab', path: '/lab', as: 'signed-in' },
];

async function submit(page: Page, button: string, answer: RegExp | string) {
  await page.getByRole('button', { name: button }).click();
  await expect(page.getByText(answer).first()).toBeVisible();
}

/**
 * Sends the payment form as a session signed in over the API does: not bound to this browser, so the
 * password goes with the payment (UNBOUND_SESSION_POLICY), typed into the prompt.
 */
async function pay(page: Page, password: string, answer: RegExp | string) {
  await page.getByRole('button', { name: 'Send payment' }).click();
  const prompt = stepUpPrompt(page);
  await prompt.getByLabel('Password', { exact: true }).fill(password);
  await prompt.getByRole('button', { name: /^Confirm and send/ }).click();
  await expect(page.getByText(answer).first()).toBeVisible();
}

const STATES: Check[] = [
  {
    name: 'sign-in error',
    path: '/login',
    as: 'visitor',
    reach: async (page, { account }) => {
      await page.getByLabel('Email').fill(account.email);
      await page.getByLabel('Password').fill('not the password');
      await submit(page, 'Sign in', 'Invalid email or password');
    },
  },
  {
    name: 'sign-in field errors',
    path: '/login',
    as: 'visitor',
    reach: (page) => submit(page, 'Sign in', 'Enter a valid email address.'),
  },
  { name: 'account created notice', path: '/login?signedUp=1', as: 'visitor' },
  { name: 'signed out notice', path: '/login?signedOut=1', as: 'visitor' },
  {
    name: 'signup errors',
    path: '/signup',
    as: 'visitor',
    reach: async (page) => {
      await page.getByLabel('Email').fill('not an email');
      await page.getByLabel('Password').fill('short');
      await submit(page, 'Create account', 'Use at least 12 characters.');
    },
  },
  {
    name: 'payment field errors',
    path: '/payments',
    as: 'signed-in',
    reach: (page) => submit(page, 'Send payment', 'Enter a valid email address.'),
  },
  {
    name: 'payment refused (balance too low)',
    path: '/payments',
    as: 'signed-in',
    reach: async (page, { account, other }) => {
      await page.getByLabel('Recipient').fill((await other()).email);
      await page.getByLabel('Amount').fill('5');
      await pay(page, account.password, 'Your balance is too low for this payment.');
    },
  },
  {
    name: 'payment sent',
    path: '/payments',
    as: 'funded',
    reach: async (page, { account, other }) => {
      await page.getByLabel('Recipient').fill((await other()).email);
      await page.getByLabel('Amount').fill('1.50');
      await pay(page, account.password, /^Sent \$1\.50 to/);
    },
  },
  {
    name: 'lab, a copy kept and tried',
    path: '/lab',
    as: 'signed-in',
    reach: async (page) => {
      await page.getByRole('button', { name: 'Make a copy and try it' }).click();
      await expect(page.getByRole('region', { name: 'The copied token, decoded' })).toBeVisible();
    },
  },
  {
    name: 'password change errors',
    path: '/settings/password',
    as: 'signed-in',
    reach: (page) => submit(page, 'Change password', 'Enter your current password.'),
  },
  {
    name: 'password changed',
    path: '/settings/password',
    as: 'signed-in',
    reach: async (page, { account }) => {
      await page.getByLabel('Current password').fill(account.password);
      await page.getByLabel('New password', { exact: true }).fill(`${account.password} changed`);
      await page.getByLabel('Confirm new password').fill(`${account.password} changed`);
      await submit(page, 'Change password', 'Password changed');
    },
  },
];

type Env = { browser: Browser; baseURL: string; request: APIRequestContext; account: Account };

/** Both widths the app is designed for: a desktop and a 375 px phone. */
const WIDTHS = [
  { name: '1280 px', viewport: { width: 1280, height: 720 } },
  { name: '375 px', viewport: { width: 375, height: 740 } },
] as const;

type Width = (typeof WIDTHS)[number];

/**
 * Loads `check` as its viewer at `width`, puts it in its state, checks that nothing scrolls sideways,
 * and runs axe in both themes.
 */
async function checkInBothThemes(check: Check, width: Width, { browser, baseURL, request, account }: Env) {
  let recipient: Account | undefined;
  const other = async () => (recipient ??= await createAccount(request, baseURL));
  const context = await browser.newContext({ baseURL, viewport: width.viewport });
  try {
    if (check.as !== 'visitor') await signInThroughApi(context, baseURL, account);
    const page = await context.newPage();
    await page.goto(check.path);
    await appHydrated(page);
    await check.reach?.(page, { account, other });
    await expectNoSidewaysScroll(page, `${check.name} at ${width.name}`);
    await expectNoViolationsInEitherTheme(page, `${check.name} at ${width.name}`);
  } finally {
    await context.close();
  }
}

test.describe('axe-core finds nothing and nothing scrolls sideways, at both widths', () => {
  for (const width of WIDTHS) {
    for (const check of [...PAGES, ...STATES]) {
      const title = `${check.name} (${check.path}) at ${width.name}`;
      if (check.as === 'funded') {
        test(title, async ({ browser, baseURL, request, fundedAccount }) => {
          await checkInBothThemes(check, width, { browser, baseURL: baseURL!, request, account: fundedAccount });
        });
      } else if (check.as === 'signed-in') {
        test(title, async ({ browser, baseURL, request, account }) => {
          await checkInBothThemes(check, width, { browser, baseURL: baseURL!, request, account });
        });
      } else {
        // Visitors need no account; states that fill a form with one (a wrong password) make it lazily.
        test(title, async ({ browser, baseURL, request }) => {
          await checkInBothThemes(check, width, { browser, baseURL: baseURL!, request, account: { email: `visitor-${Date.now()}@example.com`, password: 'not an account' } });
        });
      }
    }
  }

  test('the phone menu, open (375 px)', async ({ browser, baseURL, account }) => {
    const context = await browser.newContext({ baseURL, viewport: { width: 375, height: 740 } });
    try {
      await signInThroughApi(context, baseURL!, account);
      const page = await context.newPage();
      await page.goto('/dashboard');
      await appHydrated(page);
      await page.getByRole('button', { name: 'Menu' }).click();
      await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Payments' })).toBeVisible();
      await expectNoViolationsInEitherTheme(page, 'open menu');
    } finally {
      await context.close();
    }
  });
});
