/**
 * The browser side, as a person meets it. One group of tests per defect a person met, named after
 * it; the step-up prompt's own (what it confirms, where focus goes) need the short step-up window:
 * browser-side.short.spec.ts.
 */
import { formatDateTime } from '../lib/format/time';
import { tooManyAttempts } from '../lib/forms/messages';
import {
  appHydrated,
  createAccount,
  DEMO_PASSWORD,
  expect,
  sendPayment,
  signInThroughForm,
  test,
  type Account,
} from './support/fixtures';

// ---------------------------------------------------------------------------------------------------
// Focus and announcements.

test.describe('focus and announcements', () => {
  test('a failed sign-in submitted with the mouse moves focus to the error, which is announced', async ({ page, account }) => {
    await page.goto('/login');
    await page.getByLabel('Email').fill(account.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const error = page.getByRole('alert').filter({ hasText: 'Invalid email or password' });
    await expect(error).toBeFocused();
  });

  test('an empty sign-in moves focus to the first field in error, its message read with it', async ({ page }) => {
    await page.goto('/login');
    await appHydrated(page);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const email = page.getByLabel('Email');
    await expect(email).toBeFocused();
    await expect(email).toHaveAttribute('aria-invalid', 'true');
    await expect(email).toHaveAccessibleDescription(/email address/i);
  });

  test('a refused payment moves focus to the field in error, its message read with it', async ({ page, account, request, baseURL }) => {
    // Through the form, so the session is bound and the refusal comes without a password prompt first.
    await signInThroughForm(page, account);
    const recipient = await createAccount(request, baseURL!);
    // signedIn's account has no money: paying is refused beside the amount.
    await page.goto('/payments');
    await appHydrated(page);
    await page.getByLabel('Recipient').fill(recipient.email);
    await page.getByLabel('Amount').fill('5');
    await page.getByRole('button', { name: 'Send payment' }).click();
    await expect(page.getByLabel('Amount')).toBeFocused();
    await expect(page.getByLabel('Amount')).toHaveAccessibleDescription(/balance is too low/);
  });
});

// ---------------------------------------------------------------------------------------------------
// Wrong messages.

test.describe('wrong messages', () => {
  test('an all-empty password change says what each field needs, once, and focuses the first', async ({ signedIn }) => {
    const { page } = signedIn;
    await page.goto('/settings/password');
    await appHydrated(page);
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.locator('#currentPassword-error')).toHaveText('Enter your current password.');
    await expect(page.locator('#newPassword-error')).toHaveText('Choose a new password.');
    await expect(page.locator('#confirmPassword-error')).toHaveText('Type the new password again.');
    await expect(page.getByText('Choose a password different from your current one.')).toHaveCount(0);
    await expect(page.getByLabel('Current password')).toBeFocused();
    // No banner repeating what the fields say.
    await expect(page.getByRole('alert').filter({ hasText: /\S/ })).toHaveCount(0);
  });

  test('an amount of 1000000000 is refused with the payment limit, not a format hint', async ({ signedIn, account }) => {
    const { page } = signedIn;
    await page.goto('/payments');
    expect(await sendPaymentExpectingRefusal(page, account.email, '1000000000')).toBe('The most you can send in one payment is $500.00.');
  });

  test('self-payment and unknown-recipient errors appear once, beside the recipient', async ({ page, account }) => {
    // Through the form, so the session is bound and the refusals come without a password prompt first.
    await signInThroughForm(page, account);
    await page.goto('/payments');
    await page.getByLabel('Recipient').fill(account.email);
    await page.getByLabel('Amount').fill('1');
    await page.getByRole('button', { name: 'Send payment' }).click();
    await expect(page.locator('#recipient-error')).toHaveText('You cannot send a payment to yourself.');
    await expect(page.getByText('You cannot send a payment to yourself.')).toHaveCount(1);

    await page.getByLabel('Recipient').fill(`nobody-${Date.now()}@example.com`);
    await page.getByRole('button', { name: 'Send payment' }).click();
    await expect(page.locator('#recipient-error')).toHaveText('There is no account with that email address.');
    await expect(page.getByText('There is no account with that email address.')).toHaveCount(1);
  });

  test('"your session has ended" is one sentence with its sign-in link in it', async ({ signedIn, copySession, account }) => {
    const { page, context } = signedIn;
    const { page: copy } = await copySession(context);
    await page.goto('/dashboard');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/login');

    await copy.goto('/payments');
    await copy.getByLabel('Recipient').fill(account.email);
    await copy.getByLabel('Amount').fill('1');
    await copy.getByRole('button', { name: 'Send payment' }).click();
    const ended = copy.getByRole('alert').filter({ hasText: 'Your session has ended' });
    await expect(ended).toHaveText('Your session has ended. Sign in again.');
    await expect(ended.getByRole('link', { name: 'Sign in again' })).toHaveAttribute('href', '/login?next=%2Fpayments');
    await expect(copy.getByRole('link', { name: 'Sign in again' })).toHaveCount(1);
  });

  test('"your account is ready" goes away once sign-in answers with an error', async ({ page }) => {
    const account = { email: `new-${Date.now()}@example.com`, password: 'a brand new long password' };
    await page.goto('/signup');
    await page.getByLabel('Email').fill(account.email);
    await page.getByLabel('Password').fill(account.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL((url) => url.pathname === '/login');
    const ready = page.getByText('Your account is ready.');
    await expect(ready).toBeVisible();

    await page.getByLabel('Email').fill(account.email);
    await page.getByLabel('Password').fill('a wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'Invalid email or password' })).toBeVisible();
    await expect(ready).toHaveCount(0);
  });

  test('the sign-in limit says how long to wait, as Retry-After does', async ({ page, account, request, baseURL }) => {
    for (let i = 0; i < 5; i++) {
      await request.post('/api/auth/login', { data: { email: account.email, password: `wrong ${i}` }, headers: { Origin: baseURL! } });
    }
    await page.goto('/login');
    await page.getByLabel('Email').fill(account.email);
    await page.getByLabel('Password').fill(account.password);
    const answer = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/auth/login');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const response = await answer;
    expect(response.status()).toBe(429);
    const wait = Number(response.headers()['retry-after']);
    await expect(page.getByRole('alert').filter({ hasText: 'Too many failed attempts' })).toHaveText(tooManyAttempts(wait));
    await expect(page.getByRole('alert').filter({ hasText: 'Too many failed attempts' })).toHaveText(/Try again in \d+ minutes?\.$/);
  });
});

async function sendPaymentExpectingRefusal(page: import('@playwright/test').Page, recipient: string, amount: string) {
  await page.getByLabel('Recipient').fill(recipient);
  await page.getByLabel('Amount').fill(amount);
  await page.getByRole('button', { name: 'Send payment' }).click();
  const message = page.locator('#amount-error p');
  await expect(message).toBeVisible();
  return message.textContent();
}

// ---------------------------------------------------------------------------------------------------
// Next's internal `_rsc` query in the address bar.

test.describe("Next's internal _rsc query never reaches an address", () => {
  /**
   * Sign-in addresses with `_rsc` the page was sent to: a redirect's target, or a page load (the
   * router's own prefetch of the Sign in link, `/login?_rsc=…` fetched by script, is not one).
   */
  function watchLoginUrls(page: import('@playwright/test').Page): string[] {
    const leaked: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      const sentThere = request.redirectedFrom() !== null || request.isNavigationRequest();
      if (url.pathname === '/login' && url.searchParams.has('_rsc') && sentThere) leaked.push(url.pathname + url.search);
    });
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame() && new URL(frame.url()).searchParams.has('_rsc')) leaked.push(frame.url());
    });
    return leaked;
  }

  test('a link followed after the session ended elsewhere lands on a clean sign-in address', async ({ page, context, account, baseURL }) => {
    await signInThroughForm(page, account);
    await appHydrated(page);
    const leaked = watchLoginUrls(page);
    // Signed out from another tab: this page still shows the signed-in navigation.
    await context.request.post('/api/auth/logout', { headers: { Origin: baseURL! } });
    // A client-side navigation: Next's router fetches the page as an RSC payload (?_rsc=…).
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.waitForURL((url) => url.pathname === '/login');
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    expect(new URL(page.url()).search).toBe('?next=%2Fsettings%2Fpassword');
    expect(leaked, 'sign-in addresses with _rsc').toEqual([]);
  });

  test('after sign-out, Back leads to clean sign-in addresses', async ({ page, account }) => {
    await signInThroughForm(page, account);
    await appHydrated(page);
    const leaked = watchLoginUrls(page);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Payments' }).click();
    await expect(page.getByRole('heading', { name: 'Payments', level: 1 })).toBeVisible();
    await nav.getByRole('link', { name: 'Settings' }).click();
    await expect(page.getByRole('heading', { name: 'Change password' })).toBeVisible();
    await nav.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/login');

    await page.goBack();
    await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.has('next'));
    expect(new URL(page.url()).search).toBe('?next=%2Fsettings%2Fpassword');
    await page.goBack();
    await page.waitForURL((url) => url.search === '?next=%2Fpayments');
    expect(leaked, 'sign-in addresses with _rsc').toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------
// Phone width.

test.describe('phone width', () => {
  for (const width of [320, 375]) {
    test(`no page scrolls sideways at ${width} px, and the header spans the screen`, async ({ signedIn, browser, baseURL }) => {
      const { page } = signedIn;
      await page.setViewportSize({ width, height: 740 });
      const visitor = await browser.newPage({ baseURL, viewport: { width, height: 740 } });
      try {
        for (const [who, path] of [
          [visitor, '/'],
          [visitor, '/login'],
          [visitor, '/signup'],
          [visitor, '/no-such-page'],
          [page, '/dashboard'],
          [page, '/payments'],
          [page, '/settings/password'],
        ] as const) {
          await who.goto(path);
          await appHydrated(who);
          const sizes = await who.evaluate(() => ({
            scroll: document.documentElement.scrollWidth,
            inner: window.innerWidth,
            header: document.querySelector('header')!.getBoundingClientRect().width,
          }));
          expect(sizes.scroll, `${path} is no wider than the screen`).toBeLessThanOrEqual(sizes.inner);
          expect(sizes.header, `${path}: the header's background spans the screen`).toBe(sizes.inner);
        }
      } finally {
        await visitor.close();
      }
    });
  }

  test('the payment history reflows at 375 px instead of widening the page', async ({ fundedAccount, signInAs }) => {
    const { page } = await signInAs(fundedAccount);
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto('/payments');
    const row = page.getByRole('row').filter({ hasText: 'Received from' });
    await expect(row).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    // Each cell names its column, since the header row is out of sight.
    await expect(row.getByRole('cell').first()).toHaveAttribute('data-label', 'When');
  });

  test('the dashboard keeps ids and times whole at 375 px', async ({ signedIn }) => {
    const { page } = signedIn;
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto('/dashboard');
    await appHydrated(page);
    const broken = await page.evaluate(() =>
      [...document.querySelectorAll('main code, main time')]
        // On more than one line: fragments at different heights (one line may hold several fragments).
        .filter((element) => new Set([...element.getClientRects()].map((rect) => Math.round(rect.top))).size > 1)
        .map((element) => element.textContent),
    );
    expect(broken, 'ids and times broken over two lines').toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------
// Missing pieces.

test.describe('missing pieces', () => {
  test('the app has its own favicon and social preview image', async ({ page, request }) => {
    const failed: string[] = [];
    page.on('response', (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
    });
    await page.goto('/');
    await appHydrated(page);
    expect(failed, 'nothing on the home page fails to load').toEqual([]);

    for (const [path, type] of [
      ['/favicon.ico', /^image\//],
      ['/icon.svg', /^image\/svg\+xml/],
      ['/apple-touch-icon.png', /^image\/png/],
      ['/og.png', /^image\/png/],
    ] as const) {
      const response = await request.get(path);
      expect(response.status(), path).toBe(200);
      expect(response.headers()['content-type'], path).toMatch(type);
    }
    await expect(page.locator('link[rel="icon"][href="/icon.svg"]')).toHaveCount(1);
    await expect(page.locator('meta[property="og:image"]')).toHaveAttribute('content', /\/og\.png$/);
  });

  test('an unknown address gets a styled 404 page with a way home and no technical details', async ({ page }) => {
    const response = await page.goto('/no-such-page');
    expect(response?.status()).toBe(404);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
    await expect(page.getByRole('main').getByRole('link', { name: 'Go to the home page' })).toHaveAttribute('href', '/');
    await expect(page.locator('body')).not.toContainText(/stack|at \w+ \(|node_modules/i);
  });

  test('visitors see Sign in and Create account, not the signed-in pages', async ({ page }) => {
    await page.goto('/');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect(nav.getByRole('link')).toHaveText(['Sign in', 'Create account']);
    await expect(nav.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
    await page.goto('/login');
    await expect(nav.getByRole('link', { name: 'Sign in' })).toHaveAttribute('aria-current', 'page');
  });

  test('signed in, every page has the full navigation, the current page marked, and Sign out', async ({ signedIn }) => {
    const { page } = signedIn;
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const [path, current] of [
      ['/', null],
      ['/dashboard', 'Dashboard'],
      ['/payments', 'Payments'],
      ['/settings/password', 'Settings'],
      ['/sessions', 'Sessions'],
      ['/activity', 'Activity'],
      ['/lab', 'Lab'],
    ] as const) {
      await page.goto(path);
      await appHydrated(page);
      await expect(nav.getByRole('link')).toHaveText(['Dashboard', 'Payments', 'Sessions', 'Activity', 'Settings', 'Lab']);
      await expect(nav.getByRole('button', { name: 'Sign out' })).toBeVisible();
      const marked = nav.locator('[aria-current="page"]');
      if (current) await expect(marked).toHaveText(current);
      else await expect(marked).toHaveCount(0);
    }
    // Sign out is a real form post: it works from any page.
    await page.goto('/payments');
    await nav.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/login');
    await expect(nav.getByRole('link')).toHaveText(['Sign in', 'Create account']);
  });

  test('at 375 px the navigation folds into a Menu button that works from the keyboard', async ({ signedIn }) => {
    const { page } = signedIn;
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto('/dashboard');
    await appHydrated(page);
    const menu = page.getByRole('button', { name: 'Menu' });
    const payments = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Payments' });
    await expect(menu).toHaveAttribute('aria-expanded', 'false');
    await expect(payments).toBeHidden();
    await menu.focus();
    await page.keyboard.press('Enter');
    await expect(menu).toHaveAttribute('aria-expanded', 'true');
    await expect(payments).toBeVisible();
    await page.keyboard.press('Tab');
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' })).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(menu).toHaveAttribute('aria-expanded', 'false');
    await expect(menu).toBeFocused();
    await page.keyboard.press('Enter');
    await payments.click();
    await page.waitForURL((url) => url.pathname === '/payments');
    await expect(menu).toHaveAttribute('aria-expanded', 'false');
  });
});

// ---------------------------------------------------------------------------------------------------
// Money and time for people.

test.describe('money and time for people', () => {
  test('amounts show a currency and thousands separators', async ({ page }) => {
    await signInThroughForm(page, { email: 'alice@example.com', password: DEMO_PASSWORD });
    await page.goto('/payments');
    await expect(page.getByTestId('balance')).toHaveText(/^\$\d{1,3}(,\d{3})*\.\d{2}$/);
    await expect(page.getByText('Payments up to $500.00 each.')).toBeVisible();
  });

  test("payment times are shown in the reader's time zone, not as UTC ISO strings", async ({ browser, baseURL, fundedAccount }) => {
    const context = await browser.newContext({ baseURL, timezoneId: 'Asia/Tokyo' });
    try {
      await context.request.post('/api/auth/login', { data: fundedAccount, headers: { Origin: baseURL! } });
      const page = await context.newPage();
      await page.goto('/payments');
      await appHydrated(page);
      const when = page.getByRole('row').filter({ hasText: 'Received from' }).locator('time');
      const instant = new Date((await when.getAttribute('datetime'))!);
      await expect(when).toHaveText(formatDateTime(instant, 'Asia/Tokyo'));
      await expect(when).not.toHaveText(/\d{4}-\d{2}-\d{2}/);
    } finally {
      await context.close();
    }
  });

  test('the payment history is paginated, newest first', async ({ fundedAccount, signInAs, request, baseURL }) => {
    test.setTimeout(90_000);
    const recipient: Account = await createAccount(request, baseURL!);
    const { page } = await signInAs(fundedAccount);
    // 11 payments out + the loan in: 12 rows, two pages of 10.
    for (let i = 1; i <= 11; i++) {
      await page.goto('/payments');
      // Signed in over the API, so the session is not bound: each payment goes with the password.
      expect(await sendPayment(page, { recipient: recipient.email, amount: `${i}`, confirmWith: fundedAccount.password })).toBe('done');
    }
    await page.goto('/payments');
    const rows = page.getByRole('table').getByRole('row').filter({ has: page.getByRole('cell') });
    await expect(rows).toHaveCount(10);
    await expect(rows.first()).toContainText('-$11.00');
    await expect(page.getByText('Page 1 of 2 · 12 payments')).toBeVisible();
    await page.getByRole('link', { name: 'Older' }).click();
    await expect(page).toHaveURL(/\?page=2/);
    await expect(rows).toHaveCount(2);
    await expect(rows.first()).toContainText('-$1.00');
    await expect(rows.last()).toContainText('+$200.00');
    await page.getByRole('link', { name: 'Newer' }).click();
    await expect(rows.first()).toContainText('-$11.00');
  });

  test('a new account is told that only demo users start with money, and how to get some', async ({ signedIn }) => {
    const { page } = signedIn;
    await page.goto('/payments');
    await expect(page.getByTestId('balance')).toHaveText('$0.00');
    const note = page.getByText('New accounts start at $0.00');
    await expect(note).toContainText('alice@example.com');
    await expect(note).toContainText('send a few dollars to your email address');
  });
});
