/**
 * Wrong input, as a person types it: each field says what is wrong beside itself, checked in the
 * browser with the server's own rules before anything is sent (so before any password prompt), and the
 * sign-in page's demo-account buttons. The step-up prompt's side: forms.short.spec.ts.
 */
import type { Page, Request } from '@playwright/test';
import { appHydrated, DEMO_PASSWORD, DEMO_USERS, expect, signInThroughForm, stepUpPrompt, test } from './support/fixtures';

const LIMIT = 'The most you can send in one payment is $500.00.';
const MORE_THAN_ZERO = 'The amount must be more than $0.00.';
const NOT_ASCII = 'Use an address with only ASCII letters (a to z, no accents), digits, dots, hyphens, underscores, plus signs or apostrophes.';

/** POSTs the page sends (server actions and the auth routes): a form stopped in the browser sends none. */
function watchPosts(page: Page): Request[] {
  const posts: Request[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST') posts.push(request);
  });
  return posts;
}

async function sendPaymentForm(page: Page, recipient: string, amount: string) {
  await page.getByLabel('Recipient').fill(recipient);
  await page.getByLabel('Amount').fill(amount);
  await page.getByRole('button', { name: 'Send payment' }).click();
}

test.describe('payments are checked before anything is sent', () => {
  test('an amount over the limit is told beside the amount, focused, with no request and no prompt', async ({ signedIn }) => {
    const { page } = signedIn;
    await page.goto('/payments');
    await appHydrated(page);
    const posts = watchPosts(page);
    await sendPaymentForm(page, 'bob@example.com', '99999999999999999999');
    const amount = page.getByLabel('Amount');
    await expect(page.locator('#amount-error')).toHaveText(LIMIT);
    await expect(amount).toBeFocused();
    await expect(amount).toHaveAccessibleDescription(new RegExp(LIMIT.replace(/[$.]/g, '\\$&')));
    await expect(stepUpPrompt(page)).toHaveCount(0);
    expect(posts).toHaveLength(0);
    // Nothing typed is lost.
    await expect(amount).toHaveValue('99999999999999999999');
    await expect(page.getByLabel('Recipient')).toHaveValue('bob@example.com');
  });

  for (const amount of ['-5', '0']) {
    test(`an amount of ${amount} must be more than $0.00`, async ({ signedIn }) => {
      const { page } = signedIn;
      await page.goto('/payments');
      await appHydrated(page);
      await sendPaymentForm(page, 'bob@example.com', amount);
      await expect(page.locator('#amount-error')).toHaveText(MORE_THAN_ZERO);
      await expect(page.getByLabel('Amount')).toBeFocused();
    });
  }

  test('a wrong recipient and amount each get their message; the first takes focus', async ({ signedIn }) => {
    const { page } = signedIn;
    await page.goto('/payments');
    await appHydrated(page);
    const posts = watchPosts(page);
    await sendPaymentForm(page, 'jürgen@exämple.com', '1,000');
    await expect(page.locator('#recipient-error')).toHaveText(NOT_ASCII);
    await expect(page.locator('#amount-error')).toHaveText('Enter an amount like 12.50: digits, a dot, at most two decimals.');
    await expect(page.getByLabel('Recipient')).toBeFocused();
    expect(posts).toHaveLength(0);
  });

  test('once the fields are right the payment is sent, and the stale messages go', async ({ page, account }) => {
    // Through the form, so the session is bound and the server's refusal comes without a password prompt first.
    await signInThroughForm(page, account);
    await page.goto('/payments');
    await appHydrated(page);
    await sendPaymentForm(page, account.email, 'abc');
    await expect(page.locator('#amount-error')).toHaveText(/Enter an amount like 12\.50/);
    // The server's answer now: a well-formed payment to yourself.
    await page.getByLabel('Amount').fill('1');
    await page.getByRole('button', { name: 'Send payment' }).click();
    await expect(page.locator('#recipient-error')).toHaveText('You cannot send a payment to yourself.');
    await expect(page.locator('#amount-error')).toHaveText('');
  });
});

test.describe('sign-in and signup say what is wrong with a field, however long it is', () => {
  const long = 'x'.repeat(10_000);

  for (const [path, button, passwordMessage] of [
    ['/login', 'Sign in', 'Passwords are at most 128 characters.'],
    ['/signup', 'Create account', 'Use at most 128 characters.'],
  ] as const) {
    test(`${path}: a 10,000-character email and password get field messages, not a banner`, async ({ page }) => {
      await page.goto(path);
      await appHydrated(page);
      const posts = watchPosts(page);
      await page.getByLabel('Email').fill(`${long}@example.com`);
      await page.getByLabel('Password').fill(long);
      await page.getByRole('button', { name: button }).click();
      await expect(page.locator('#email-error')).toHaveText('That email address is too long.');
      await expect(page.locator('#password-error')).toHaveText(passwordMessage);
      await expect(page.getByLabel('Email')).toBeFocused();
      await expect(page.getByText('The request body is too large.')).toHaveCount(0);
      await expect(page.getByRole('alert').filter({ hasText: /\S/ })).toHaveCount(0);
      expect(posts).toHaveLength(0);
    });

    test(`${path}: an address with accented letters says what is accepted`, async ({ page }) => {
      await page.goto(path);
      await appHydrated(page);
      await page.getByLabel('Email').fill('jürgen@exämple.com');
      await page.getByLabel('Password').fill('a long enough password');
      await page.getByRole('button', { name: button }).click();
      await expect(page.locator('#email-error')).toHaveText(NOT_ASCII);
      await expect(page.getByLabel('Email')).toBeFocused();
    });
  }

  test('the API still answers 413 to a caller that sends a body that large', async ({ request, baseURL }) => {
    const response = await request.post('/api/auth/login', {
      data: { email: `${long}@example.com`, password: long },
      headers: { Origin: baseURL! },
    });
    expect(response.status()).toBe(413);
    expect((await response.json()).error).toBe('The request body is too large.');
  });
});

test.describe('the sign-in page offers the demo accounts', () => {
  for (const email of DEMO_USERS) {
    test(`one click fills in ${email}; focus moves to Sign in`, async ({ page }) => {
      await page.goto('/login');
      await appHydrated(page);
      const demo = page.getByRole('region', { name: 'Demo accounts' });
      await demo.getByRole('button', { name: `Use ${email}` }).click();
      await expect(page.getByLabel('Email')).toHaveValue(email);
      await expect(page.getByLabel('Password')).toHaveValue(DEMO_PASSWORD);
      const signIn = page.getByRole('button', { name: 'Sign in', exact: true });
      await expect(signIn).toBeFocused();
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => url.pathname === '/dashboard');
      await expect(page.getByRole('heading', { level: 1 })).toContainText(email);
    });
  }

  test('a fill-in clears the last error', async ({ page }) => {
    await page.goto('/login');
    await appHydrated(page);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.locator('#email-error')).not.toHaveText('');
    await page.getByRole('button', { name: 'Use alice@example.com' }).click();
    await expect(page.locator('#email-error')).toHaveText('');
    await expect(page.getByLabel('Email')).not.toHaveAttribute('aria-invalid', 'true');
  });
});
