/**
 * A stolen session's step-up, in a real browser: a thief holds a copy of the victim's cookies; the victim
 * then changes the password in that same browser. Before the fix the session kept its id and the fresh
 * password entry, so the copy could pay. Runs on the `main` server, whose access tokens outlive the test: the
 * thief's copied access token is still live when it tries.
 */
import { expect, sendPayment, test } from './support/fixtures';

const NEW_PASSWORD = 'a new password typed by the victim';

test('a thief holding copied cookies cannot act after the victim changes the password in the same browser', async ({
  fundedAccount,
  account: recipient,
  signInAs,
  copySession,
}) => {
  const victim = await signInAs(fundedAccount);
  const thief = await copySession(victim.context);

  await victim.page.goto('/settings/password');
  await victim.page.getByLabel('Current password').fill(fundedAccount.password);
  await victim.page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await victim.page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
  await victim.page.getByRole('button', { name: 'Change password' }).click();
  await expect(victim.page.getByRole('status').filter({ hasText: 'Password changed' })).toBeVisible();
  // The fixture pays the loan back after the test by signing in with this account's password.
  fundedAccount.password = NEW_PASSWORD;

  await thief.page.goto('/payments');
  expect(await sendPayment(thief.page, { recipient: recipient.email, amount: '50' })).toBe('session-ended');

  // The victim's browser carries on with the cookies the change gave it.
  await victim.page.goto('/payments');
  expect(await sendPayment(victim.page, { recipient: recipient.email, amount: '5', confirmWith: NEW_PASSWORD })).toBe('done');
  await expect(victim.page.getByTestId('balance')).toHaveText('$195.00');
});
