/**
 * The step-up prompt, as a person meets it (it confirms exactly what is on screen; it takes focus
 * and is announced), against the short-lifetime
 * server (REAUTH_MAX_AGE_SECONDS=4), and checked with axe-core in both themes.
 */
import type { Page } from '@playwright/test';
import { expectNoViolationsInEitherTheme } from './support/accessibility';
import {
  type Account,
  appHydrated,
  confirmPassword,
  expect,
  requireShortLifetimes,
  signInThenStepUpExpiry,
  stepUpPrompt,
  test,
} from './support/fixtures';

requireShortLifetimes();

/** Signs in, opens /payments, and waits until the step-up window (server clock, from sign-in) has closed. */
async function paymentsWithStaleStepUp(signInAs: (account: Account) => Promise<{ page: Page }>, account: Account) {
  const { page, stepUpExpired } = await signInThenStepUpExpiry(signInAs, account);
  await page.goto('/payments');
  await appHydrated(page);
  await stepUpExpired();
  return page;
}

async function submitPayment(page: Page, recipient: string, amount: string) {
  await page.getByLabel('Recipient').fill(recipient);
  await page.getByLabel('Amount').fill(amount);
  await page.getByRole('button', { name: 'Send payment' }).click();
  await expect(stepUpPrompt(page)).toBeVisible();
}

test('a payment waiting for confirmation sends exactly what is on screen', async ({
  fundedAccount,
  account: recipient,
  signInAs,
}) => {
  const page = await paymentsWithStaleStepUp(signInAs, fundedAccount);
  await submitPayment(page, recipient.email, '2.00');

  // While the payment waits, what it will send cannot be changed, and the prompt names it.
  await expect(page.getByLabel('Amount')).not.toBeEditable();
  await expect(page.getByLabel('Recipient')).not.toBeEditable();
  await expect(page.getByLabel('Amount')).toHaveValue('2.00');
  await expect(stepUpPrompt(page)).toContainText(`To send $2.00 to ${recipient.email}`);

  await confirmPassword(page, fundedAccount.password);
  await expect(page.getByRole('status').filter({ hasText: `Sent $2.00 to ${recipient.email}` })).toBeVisible();
  await expect(page.getByTestId('balance')).toHaveText('$198.00');
});

test('Cancel drops the waiting payment; the next one is confirmed for its own amount', async ({
  fundedAccount,
  account: recipient,
  signInAs,
}) => {
  const page = await paymentsWithStaleStepUp(signInAs, fundedAccount);
  await submitPayment(page, recipient.email, '2.00');
  await stepUpPrompt(page).getByRole('button', { name: 'Cancel' }).click();
  await expect(stepUpPrompt(page)).toBeHidden();
  await expect(page.getByLabel('Amount')).toBeFocused();
  await expect(page.getByLabel('Amount')).toBeEditable();

  await page.getByLabel('Amount').fill('7.00');
  await page.getByRole('button', { name: 'Send payment' }).click();
  await expect(stepUpPrompt(page)).toContainText(`To send $7.00 to ${recipient.email}`);
  await confirmPassword(page, fundedAccount.password);
  await expect(page.getByRole('status').filter({ hasText: `Sent $7.00 to ${recipient.email}` })).toBeVisible();
  // The cancelled $2.00 was never sent.
  await expect(page.getByTestId('balance')).toHaveText('$193.00');
  await expect(page.getByRole('row').filter({ hasText: '-$2.00' })).toHaveCount(0);
});

test('the step-up prompt takes focus and is announced; a wrong password focuses its field', async ({
  fundedAccount,
  account: recipient,
  signInAs,
}) => {
  const page = await paymentsWithStaleStepUp(signInAs, fundedAccount);
  await submitPayment(page, recipient.email, '3');

  const password = stepUpPrompt(page).getByLabel('Password', { exact: true });
  await expect(password).toBeFocused();
  // Read with the field: what is being confirmed.
  await expect(password).toHaveAccessibleDescription(new RegExp(`To send \\$3\\.00 to ${recipient.email.replace(/[.+]/g, '\\$&')}`));
  // Announced as it appears, in a live region that was already on the page.
  await expect(page.getByRole('status').filter({ hasText: 'Confirm it is you' })).toContainText(`To send $3.00 to ${recipient.email}`);

  await confirmPassword(page, 'not my password');
  await expect(password).toBeFocused();
  await expect(password).toHaveAccessibleDescription(/That password is not correct/);
});

test('the step-up prompt and its error have no axe violations, light and dark', async ({
  fundedAccount,
  account: recipient,
  signInAs,
}) => {
  const page = await paymentsWithStaleStepUp(signInAs, fundedAccount);
  await submitPayment(page, recipient.email, '1');
  await expectNoViolationsInEitherTheme(page, 'step-up prompt');
  await confirmPassword(page, 'not my password');
  await expect(page.locator('#password-error')).toContainText('not correct');
  await expectNoViolationsInEitherTheme(page, 'step-up prompt with an error');
});
