/**
 * Step-up in a real browser, against the short-lifetime server (REAUTH_MAX_AGE_SECONDS=4).
 */
import { confirmPassword, expect, requireShortLifetimes, SHORT_WINDOWS, stepUpPrompt, test, waitUntil } from './support/fixtures';

requireShortLifetimes();

test('a payment from a session whose password entry is stale asks for the password, then proceeds', async ({
  fundedAccount,
  account: recipient,
  signInAs,
}) => {
  const signedInAt = Date.now();
  const { page } = await signInAs(fundedAccount);
  await page.goto('/payments');
  await expect(page.getByTestId('balance')).toHaveText('$200.00');
  // The step-up window runs on the server's clock from the sign-in: wait until it has closed.
  await waitUntil(signedInAt + SHORT_WINDOWS.stepUpMs + 500);

  await page.getByLabel('Recipient').fill(recipient.email);
  await page.getByLabel('Amount').fill('20');
  await page.getByRole('button', { name: 'Send payment' }).click();

  await expect(stepUpPrompt(page)).toBeVisible();
  await confirmPassword(page, 'not my password at all');
  await expect(page.locator('#password-error')).toContainText('not correct');
  await expect(page.getByTestId('balance')).toHaveText('$200.00');

  await confirmPassword(page, fundedAccount.password);
  // No retyping: the payment that was waiting goes through.
  await expect(page.getByRole('status').filter({ hasText: `Sent $20.00 to ${recipient.email}` })).toBeVisible();
  await expect(page.getByTestId('balance')).toHaveText('$180.00');
});
