/**
 * Flows that used to stop one step short: what a success message leaves out, where focus goes after
 * an answer or a navigation, what sign-up carries over to sign-in, and sessions that look alike. The
 * step-up prompt on /sessions needs the short step-up window: step-up.short.spec.ts.
 */
import { formatDateTime } from '../lib/format/time';
import { appHydrated, expect, test } from './support/fixtures';

test('a password change says the other sessions were signed out, and focus moves to that message', async ({ account, signInAs }) => {
  const other = await signInAs(account);
  const { page } = await signInAs(account);
  await page.goto('/settings/password');
  await appHydrated(page);
  await page.getByLabel('Current password').fill(account.password);
  await page.getByLabel('New password', { exact: true }).fill(`${account.password} renewed`);
  await page.getByLabel('Confirm new password').fill(`${account.password} renewed`);
  await page.getByRole('button', { name: 'Change password' }).click();

  const message = page.getByRole('status').filter({ hasText: 'Password changed' });
  await expect(message).toHaveText('Password changed. All your other sessions were signed out; this browser stays signed in.');
  await expect(page.locator(':focus')).toContainText('Password changed');
  await expect(page.getByLabel('Current password')).toHaveValue('');

  // It is true: the other browser is signed out, this one is not.
  // (Its access token has not expired yet, so /sessions, which checks the session row, says so.)
  await other.page.goto('/sessions');
  await expect(other.page.getByText('Your session has ended')).toBeVisible();
  await page.goto('/sessions');
  await expect(page.getByRole('heading', { name: '1 active session' })).toBeVisible();
});

test('"Check who I am" moves focus to its answer', async ({ signedIn }) => {
  const { page, account } = signedIn;
  await page.goto('/dashboard');
  await appHydrated(page);
  await page.getByRole('button', { name: 'Check who I am' }).click();
  const answer = page.getByTestId('whoami-result');
  await expect(answer).toContainText(account.email);
  await expect(answer).toBeFocused();
});

test('after a client-side navigation focus is on the new page’s main heading', async ({ signedIn }) => {
  const { page } = signedIn;
  await page.goto('/dashboard');
  await appHydrated(page);
  const nav = page.getByRole('navigation', { name: 'Main' });
  // At narrow widths the links sit behind the Menu button.
  const menu = nav.getByRole('button', { name: 'Menu' });
  if (await menu.isVisible()) await menu.click();
  await nav.getByRole('link', { name: 'Sessions' }).focus();
  await page.keyboard.press('Enter');
  await page.waitForURL((url) => url.pathname === '/sessions');
  await expect(page.getByRole('heading', { level: 1, name: 'Sessions' })).toBeFocused();
});

test('after sign-up the sign-in form has the email filled in and focus on the password, never the email in the URL', async ({ page }) => {
  const email = `flows-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`;
  const password = 'a long enough flows password';
  await page.goto('/signup');
  await appHydrated(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL((url) => url.pathname === '/login');
  expect(page.url()).not.toContain(encodeURIComponent(email));
  expect(page.url()).not.toContain(email);
  await expect(page.getByLabel('Email')).toHaveValue(email);
  await expect(page.getByLabel('Password')).toBeFocused();
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
  await page.waitForURL((url) => url.pathname === '/dashboard');
  // Read once: a later visit to the sign-in page starts empty.
  await page.goto('/login');
  await appHydrated(page);
  await expect(page.getByLabel('Email')).toHaveValue('');
});

test('sessions that look alike are told apart: this device first and marked, each Sign out names its sign-in time', async ({
  account,
  signInAs,
}) => {
  await signInAs(account);
  await signInAs(account);
  const { page } = await signInAs(account);
  await page.goto('/sessions');
  await appHydrated(page);
  const cards = page.getByRole('region', { name: /active sessions/ }).getByRole('listitem');
  await expect(cards).toHaveCount(3);
  await expect(cards.first()).toContainText('This device');
  await expect(cards.first().getByRole('button', { name: 'Sign out' })).toHaveCount(0);

  // The same browser and address three times: the sign-in time, to the second, tells them apart, and
  // each button's description names the device and that time.
  for (const card of await cards.filter({ hasNotText: 'This device' }).all()) {
    const signedIn = formatDateTime(new Date((await card.locator('time').first().getAttribute('datetime'))!));
    const time = `${escapeRegExp(signedIn)}:\\d{2}`;
    await expect(card.getByRole('definition').first()).toHaveText(new RegExp(`^${time} \\(`));
    await expect(card.getByRole('button', { name: 'Sign out' })).toHaveAccessibleDescription(new RegExp(`^Chrome \\d+ on .+ ${time} \\(`));
  }
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
