/**
 * Validation before step-up, against the short-lifetime server (REAUTH_MAX_AGE_SECONDS=4): a payment
 * that would be refused never asks for the password, and one that will be sent is confirmed in the
 * words it will be sent with (formatted amount, recipient as stored).
 */
import { appHydrated, confirmPassword, expect, requireShortLifetimes, signInThenStepUpExpiry, stepUpPrompt, test } from './support/fixtures';

requireShortLifetimes();

test('a payment over the limit is refused beside the amount before any password prompt; a right one is confirmed as sent', async ({
  fundedAccount,
  account: recipient,
  signInAs,
}) => {
  const { page, stepUpExpired } = await signInThenStepUpExpiry(signInAs, fundedAccount);
  await page.goto('/payments');
  await appHydrated(page);
  await stepUpExpired();

  await page.getByLabel('Recipient').fill(recipient.email.toUpperCase());
  await page.getByLabel('Amount').fill('99999999999999999999');
  await page.getByRole('button', { name: 'Send payment' }).click();
  await expect(page.locator('#amount-error')).toHaveText('The most you can send in one payment is $500.00.');
  await expect(page.getByLabel('Amount')).toBeFocused();
  await expect(stepUpPrompt(page)).toHaveCount(0);

  await page.getByLabel('Amount').fill('12.5');
  await page.getByRole('button', { name: 'Send payment' }).click();
  await expect(stepUpPrompt(page)).toBeVisible();
  await expect(stepUpPrompt(page)).toContainText(`To send $12.50 to ${recipient.email}`);
  await expect(page.getByRole('button', { name: 'Confirm and send $12.50' })).toBeVisible();
  await expect(page.locator('#amount-error')).toHaveText('');

  await confirmPassword(page, fundedAccount.password);
  await expect(page.getByRole('status').filter({ hasText: `Sent $12.50 to ${recipient.email}` })).toBeVisible();
});
