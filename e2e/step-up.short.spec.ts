/**
 * Runs against the `short` server: REAUTH_MAX_AGE_SECONDS is 4, access tokens live 2 s.
 */
import { expect, test } from '@playwright/test';
import { createAccount, DEMO_PASSWORD, signIn } from './support/accounts';
import { FUNDED_ACCOUNTS } from './support/funded-accounts';

test('a payment from a session whose password entry is stale asks for the password, then proceeds', async ({
  page,
  request,
  baseURL,
}) => {
  const sender = { email: FUNDED_ACCOUNTS.stepUp, password: DEMO_PASSWORD };
  const recipient = await createAccount(request, baseURL!);
  await signIn(page, sender.email, sender.password);
  await page.goto('/payments');
  await page.waitForTimeout(4_500);

  await page.getByLabel('Recipient').fill(recipient.email);
  await page.getByLabel('Amount').fill('20');
  await page.getByRole('button', { name: 'Send payment' }).click();

  await expect(page.getByRole('heading', { name: 'Confirm it is you' })).toBeVisible();
  await page.getByLabel('Password', { exact: true }).fill('not my password at all');
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.locator('#password-error')).toContainText('not correct');
  await expect(page.getByTestId('balance')).toHaveText('1,000.00');

  await page.getByLabel('Password', { exact: true }).fill(sender.password);
  await page.getByRole('button', { name: 'Confirm' }).click();
  // No retyping: the payment that was waiting goes through.
  await expect(page.getByRole('status').filter({ hasText: `Sent 20.00 to ${recipient.email}` })).toBeVisible();
  await expect(page.getByTestId('balance')).toHaveText('980.00');
});
