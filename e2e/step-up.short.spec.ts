/**
 * Step-up in a real browser, against the short-lifetime server (REAUTH_MAX_AGE_SECONDS=4).
 */
import { formatDateTime } from '../lib/format/time';
import type { Page } from '@playwright/test';
import { confirmPassword, expect, requireShortLifetimes, signInThenStepUpExpiry, signInThroughForm, stepUpPrompt, test, type Account } from './support/fixtures';

/**
 * Signs in through the form in `page`: the session is bound to the page's key, so it keeps the step-up
 * window (an API sign-in is unbound and is asked every time: e2e/session-tier.spec.ts).
 */
const throughForm = (page: Page) => async (account: Account) => (await signInThroughForm(page, account), { page });

requireShortLifetimes();

test('a payment from a session whose password entry is stale asks for the password, then proceeds', async ({
  fundedAccount,
  account: recipient,
  page: browserPage,
}) => {
  const { page, stepUpExpired } = await signInThenStepUpExpiry(throughForm(browserPage), fundedAccount);
  await page.goto('/payments');
  await expect(page.getByTestId('balance')).toHaveText('$200.00');
  // The step-up window runs on the server's clock from the sign-in: wait until it has closed.
  await stepUpExpired();

  await page.getByLabel('Recipient').fill(recipient.email);
  await page.getByLabel('Amount').fill('20');
  await page.getByRole('button', { name: 'Send payment' }).click();

  await expect(stepUpPrompt(page)).toContainText('You last entered it too long ago for a payment.');
  await confirmPassword(page, 'not my password at all');
  await expect(page.locator('#password-error')).toContainText('not correct');
  await expect(page.getByTestId('balance')).toHaveText('$200.00');

  await confirmPassword(page, fundedAccount.password);
  // No retyping: the payment that was waiting goes through.
  await expect(page.getByRole('status').filter({ hasText: `Sent $20.00 to ${recipient.email}` })).toBeVisible();
  await expect(page.getByTestId('balance')).toHaveText('$180.00');
});

test('on /sessions the step-up names what it signs out, Cancel keeps everything, and only the pressed button waits', async ({
  account,
  signInAs,
  page: browserPage,
}) => {
  await signInAs(account);
  await signInAs(account);
  // The step-up window runs from this browser's own sign-in.
  const { page, stepUpExpired } = await signInThenStepUpExpiry(throughForm(browserPage), account);
  await page.goto('/sessions');
  await expect(page.getByRole('heading', { name: '3 active sessions' })).toBeVisible();
  const cards = page.getByRole('region', { name: /active session/ }).getByRole('listitem');
  const others = cards.filter({ hasNotText: 'This device' });
  await expect(others).toHaveCount(2);
  await stepUpExpired();

  // One session: the prompt names its device and sign-in time.
  const first = others.first();
  const device = (await first.getByRole('heading', { level: 3 }).textContent())!;
  const signInAt = new Date((await first.locator('time').first().getAttribute('datetime'))!);
  // To the second: these three sessions signed in within the same minute.
  const signedIn = `${formatDateTime(signInAt)}:${String(signInAt.getUTCSeconds()).padStart(2, '0')}`;
  const pressed = first.getByRole('button', { name: 'Sign out' });
  await pressed.click();
  const prompt = stepUpPrompt(page);
  await expect(prompt).toContainText(`Sign out ${device}, signed in ${signedIn}?`);
  await expect(prompt).toContainText('you last entered it too long ago to end sessions.');
  await expect(prompt.getByLabel('Password', { exact: true })).toBeFocused();
  await expect(page.getByRole('status').filter({ hasText: 'Confirm it is you' })).toContainText(`Sign out ${device}`);
  // Only the pressed button waits.
  await expect(pressed).toBeDisabled();
  await expect(others.nth(1).getByRole('button', { name: 'Sign out' })).toBeEnabled();
  await expect(page.getByRole('button', { name: 'Sign out all other sessions' })).toBeEnabled();

  // Cancel: nothing is signed out, and focus is back on the button that asked.
  await prompt.getByRole('button', { name: 'Cancel' }).click();
  await expect(prompt).toHaveCount(0);
  await expect(pressed).toBeEnabled();
  await expect(pressed).toBeFocused();
  await expect(cards).toHaveCount(3);

  // All others: the prompt gives their number, and confirming ends them.
  await page.getByRole('button', { name: 'Sign out all other sessions' }).click();
  await expect(prompt).toContainText('Sign out all 2 other sessions?');
  await confirmPassword(page, account.password);
  await expect(page.getByRole('heading', { name: '1 active session' })).toBeVisible();
  await expect(cards).toHaveCount(1);
});
