/**
 * The premise, acted out: a copy of a signed-in browser's cookies outlives logout for reading (the
 * stateless proxy and pages), but cannot act (sensitive actions re-check the session row).
 */
import { expect, sendPayment, signInThroughForm, test } from './support/fixtures';

test('a copied session still reads after logout but cannot pay or change the password', async ({
  signedIn,
  copySession,
  account: recipient,
}) => {
  const { page, context, account: victim } = signedIn;
  await page.goto('/dashboard');

  // An attacker copies every cookie of the signed-in browser.
  const { page: attacker } = await copySession(context);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((url) => url.pathname === '/login');

  // Stateless reads still work until the access token expires: by design.
  await attacker.goto('/dashboard');
  await expect(attacker.getByRole('heading', { level: 1 })).toContainText(victim.email);

  // Sensitive actions re-check the session row and refuse.
  await attacker.goto('/payments');
  const balanceBefore = await attacker.getByTestId('balance').textContent();
  await attacker.getByLabel('Recipient').fill(recipient.email);
  await attacker.getByLabel('Amount').fill('250.00');
  await attacker.getByRole('button', { name: 'Send payment' }).click();
  await expect(attacker.getByRole('alert').filter({ hasText: 'Your session has ended. Sign in again.' })).toBeVisible();
  await expect(attacker.getByRole('link', { name: 'Sign in again' })).toBeVisible();
  await attacker.reload();
  await expect(attacker.getByTestId('balance')).toHaveText(balanceBefore!);
  await expect(attacker.getByText('No payments yet.')).toBeVisible();

  await attacker.goto('/settings/password');
  await attacker.getByLabel('Current password').fill(victim.password);
  await attacker.getByLabel('New password', { exact: true }).fill('attacker chosen password');
  await attacker.getByLabel('Confirm new password').fill('attacker chosen password');
  await attacker.getByRole('button', { name: 'Change password' }).click();
  await expect(attacker.getByRole('alert').filter({ hasText: 'Your session has ended. Sign in again.' })).toBeVisible();

  // Nothing changed: the victim's own password still signs in, the attacker's does not.
  await signInThroughForm(page, victim);
  await page.goto('/payments');
  await expect(page.getByTestId('balance')).toHaveText(balanceBefore!);
});

test('changing the password signs out the account’s other sessions', async ({
  browser,
  baseURL,
  fundedAccount,
  account: recipient,
  signInAs,
}) => {
  const { page } = await signInAs(fundedAccount);
  const { page: other } = await signInAs(fundedAccount);
  const account = fundedAccount;

  await page.goto('/settings/password');
  await page.getByLabel('Current password').fill(account.password);
  await page.getByLabel('New password', { exact: true }).fill('my brand new password');
  await page.getByLabel('Confirm new password').fill('my brand new password');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Password changed' })).toBeVisible();

  // The other browser's session is revoked: it cannot act any more.
  await other.goto('/payments');
  await other.getByLabel('Recipient').fill(recipient.email);
  await other.getByLabel('Amount').fill('5');
  await other.getByRole('button', { name: 'Send payment' }).click();
  await expect(other.getByRole('alert').filter({ hasText: 'Your session has ended' })).toBeVisible();

  // This browser keeps working with its re-issued tokens. It signed in over the API, so its session is not
  // bound to it, and the payment asks for the (new) password with it (UNBOUND_SESSION_POLICY).
  await page.goto('/payments');
  expect(await sendPayment(page, { recipient: recipient.email, amount: '5', confirmWith: 'my brand new password' })).toBe('done');
  await expect(page.getByRole('status').filter({ hasText: `Sent $5.00 to ${recipient.email}` })).toBeVisible();

  // The old password no longer signs in; the new one does.
  const fresh = await browser.newContext({ baseURL });
  const login = await fresh.newPage();
  await login.goto('/login');
  await login.getByLabel('Email').fill(account.email);
  await login.getByLabel('Password').fill(account.password);
  await login.getByRole('button', { name: 'Sign in' }).click();
  await expect(login.getByRole('alert').filter({ hasText: 'Invalid email or password' })).toBeVisible();
  await signInThroughForm(login, { email: account.email, password: 'my brand new password' });
  await fresh.close();
  // The fixture pays the loan back after the test, so it must know the password in force now.
  fundedAccount.password = 'my brand new password';
});

test('the password form explains wrong input and never echoes a password', async ({ signedIn }) => {
  const { page } = signedIn;
  await page.goto('/settings/password');

  await page.getByLabel('Current password').fill('this is not my password');
  await page.getByLabel('New password', { exact: true }).fill('short');
  await page.getByLabel('Confirm new password').fill('different');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.locator('#newPassword-error')).toContainText('at least 12 characters');
  await expect(page.locator('#confirmPassword-error')).toContainText('do not match');

  await page.getByLabel('New password', { exact: true }).fill('a valid new password');
  await page.getByLabel('Confirm new password').fill('a valid new password');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.locator('#currentPassword-error')).toContainText('not correct');
  await expect(page.getByLabel('Current password')).toHaveAttribute('aria-describedby', /currentPassword-error/);
  const html = await page.content();
  expect(html).not.toContain('this is not my password');
});

test('a payment moves both balances, once, and shows in both histories', async ({
  fundedAccount: sender,
  account: recipient,
  signInAs,
  page,
}) => {
  // Through the form, so the session is bound and a payment right after sign-in needs no password: the
  // double submit below reaches the payment itself.
  await signInThroughForm(page, sender);
  await page.goto('/payments');
  await expect(page.getByText('Balance')).toBeVisible();

  await page.getByLabel('Recipient').fill(recipient.email);
  await page.getByLabel('Amount').fill('12.34');
  // A double submit of one rendered form: both carry the same idempotency key.
  await page.locator('form').filter({ has: page.getByLabel('Amount') }).evaluate((form: HTMLFormElement) => {
    form.requestSubmit();
    form.requestSubmit();
  });
  await expect(page.getByRole('status').filter({ hasText: `Sent $12.34 to ${recipient.email}` })).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('balance')).toHaveText('$187.66');
  await expect(page.getByRole('row').filter({ hasText: recipient.email })).toHaveCount(1);

  const { page: recipientPage } = await signInAs(recipient);
  await recipientPage.goto('/payments');
  await expect(recipientPage.getByTestId('balance')).toHaveText('$12.34');
  await expect(recipientPage.getByRole('row').filter({ hasText: sender.email })).toContainText('+$12.34');
});

test('payments refuse bad input with a clear message by the field', async ({ page, account }) => {
  // Through the form, so the session is bound and the server's refusals come without a password prompt first.
  await signInThroughForm(page, account);
  await page.goto('/payments');

  const send = async (recipient: string, amount: string) => {
    await page.getByLabel('Recipient').fill(recipient);
    await page.getByLabel('Amount').fill(amount);
    await page.getByRole('button', { name: 'Send payment' }).click();
  };
  await send(account.email, '1');
  await expect(page.locator('#recipient-error')).toContainText('cannot send a payment to yourself');
  await send('nobody-here@example.com', '1');
  await expect(page.locator('#recipient-error')).toContainText('no account with that email');
  await send('bob@example.com', '1.234');
  await expect(page.locator('#amount-error')).toContainText('at most two decimals');
  await send('bob@example.com', '0');
  await expect(page.locator('#amount-error')).toContainText('more than $0.00');
  await send('bob@example.com', '600');
  await expect(page.locator('#amount-error')).toContainText('most you can send in one payment is $500.00');
  await send('bob@example.com', '5');
  await expect(page.locator('#amount-error')).toContainText('balance is too low');
  await page.reload();
  await expect(page.getByTestId('balance')).toHaveText('$0.00');
});
