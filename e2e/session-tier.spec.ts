/**
 * Each session's binding tier, as a person sees it, and what UNBOUND_SESSION_POLICY=step-up (the default)
 * asks of an unbound one. A sign-in through the form in Chromium binds the session to a key the page made;
 * a sign-in over the API does not, so each of its payments and each sign-out of other sessions asks
 * for the password, and says why. So does a copy of a bound session's access token, which has no key.
 */
import { expect, signInThroughApi, signInThroughForm, stepUpPrompt, test } from './support/fixtures';

test('/sessions and /dashboard say this form sign-in is bound to a key, and an API sign-in is not', async ({ page, account, browser, baseURL }) => {
  const other = await browser.newContext({ baseURL });
  await signInThroughApi(other, baseURL!, account);
  await signInThroughForm(page, account);

  const panel = page.getByRole('region', { name: 'Session row' });
  await expect(panel.getByTestId('session-tier')).toContainText('Bound to a key in this browser');

  await page.goto('/sessions');
  const items = page.getByRole('region', { name: /active session/ }).getByRole('listitem');
  await expect(items).toHaveCount(2);
  const thisDevice = items.filter({ hasText: 'This device' });
  await expect(thisDevice.getByTestId('session-tier')).toContainText('Bound to a key in this browser');
  await expect(thisDevice.getByTestId('session-tier')).toContainText('Cookies copied to another device cannot keep this session going.');
  const api = items.filter({ hasNotText: 'This device' });
  await expect(api.getByTestId('session-tier')).toContainText('Not bound to this browser');
  await expect(api.getByTestId('session-tier')).toContainText('Payments and signing out other sessions ask for your password every time.');
  await other.close();
});

test('an unbound session (API sign-in) is asked for its password with every payment, told why, and pays with it', async ({
  fundedAccount,
  account: recipient,
  signInAs,
}) => {
  const { page, account } = await signInAs(fundedAccount);
  await page.goto('/payments');
  for (const amount of ['1.00', '2.00']) {
    await page.getByLabel('Recipient').fill(recipient.email);
    await page.getByLabel('Amount').fill(amount);
    await page.getByRole('button', { name: 'Send payment' }).click();
    const prompt = stepUpPrompt(page);
    await expect(prompt).toContainText('This session is not bound to this browser, so every payment asks for your password.');
    await expect(prompt.getByLabel('Password', { exact: true })).toBeFocused();
    // A wrong password keeps the prompt open, with the refusal beside its field; nothing is sent.
    if (amount === '1.00') {
      await prompt.getByLabel('Password', { exact: true }).fill('not the password at all');
      await prompt.getByRole('button', { name: 'Confirm and send $1.00' }).click();
      await expect(prompt.locator('#password-error')).toHaveText('That password is not correct.');
    }
    await prompt.getByLabel('Password', { exact: true }).fill(account.password);
    await prompt.getByRole('button', { name: `Confirm and send $${amount}` }).click();
    await expect(page.getByRole('status').filter({ hasText: `Sent $${amount} to ${recipient.email}.` })).toBeVisible();
    await expect(prompt).toHaveCount(0);
  }
});

test('an unbound session is asked for its password to sign out other sessions, told why, and ends them with it', async ({
  account,
  signInAs,
  baseURL,
}) => {
  const other = await signInAs(account);
  const { page } = await signInAs(account);
  await page.goto('/sessions');
  await expect(page.getByRole('heading', { name: '2 active sessions' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out all other sessions' }).click();
  const prompt = stepUpPrompt(page);
  await expect(prompt).toContainText('Sign out your 1 other session?');
  await expect(prompt).toContainText('this session is not bound to this browser, so ending sessions asks for your password every time.');
  await expect(prompt.getByLabel('Password', { exact: true })).toBeFocused();

  // A wrong password keeps the prompt open, with the refusal beside its field; nobody is signed out.
  await prompt.getByLabel('Password', { exact: true }).fill('not the password at all');
  await prompt.getByRole('button', { name: 'Confirm and sign out' }).click();
  await expect(prompt.locator('#password-error')).toHaveText('That password is not correct.');
  await expect(page.getByRole('heading', { name: '2 active sessions' })).toBeVisible();

  await prompt.getByLabel('Password', { exact: true }).fill(account.password);
  await prompt.getByRole('button', { name: 'Confirm and sign out' }).click();
  await expect(page.getByRole('heading', { name: '1 active session' })).toBeVisible();
  await expect(prompt).toHaveCount(0);
  const renewal = await other.context.request.post('/api/auth/refresh', { headers: { Origin: baseURL! } });
  expect(renewal.status(), 'the other session can no longer renew').toBe(401);
});

test('a copy of a bound session’s access token reads /payments but cannot pay without the password; the owner’s page pays without one', async ({
  page,
  context,
  fundedAccount,
  account: recipient,
  browser,
  baseURL,
}) => {
  await signInThroughForm(page, fundedAccount);
  // Another browser with nothing but a copy of the access cookie: no refresh cookie, no key.
  const thief = await browser.newContext({ baseURL });
  await thief.addCookies((await context.cookies()).filter((cookie) => cookie.name.endsWith('access_token')));
  const thiefPage = await thief.newPage();
  await thiefPage.goto('/payments');
  await expect(thiefPage.getByRole('heading', { name: 'Payments' })).toBeVisible();
  await thiefPage.getByLabel('Recipient').fill(recipient.email);
  await thiefPage.getByLabel('Amount').fill('1.00');
  await thiefPage.getByRole('button', { name: 'Send payment' }).click();
  const prompt = stepUpPrompt(thiefPage);
  await expect(prompt).toContainText('This browser did not show the key this session is bound to, so this payment needs your password.');
  await prompt.getByRole('button', { name: 'Cancel' }).click();
  await expect(prompt).toHaveCount(0);

  // The owner's page proves its key with the payment: no prompt, and only its own payment left the balance.
  await page.goto('/payments');
  await page.getByLabel('Recipient').fill(recipient.email);
  await page.getByLabel('Amount').fill('2.00');
  await page.getByRole('button', { name: 'Send payment' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Sent $2.00 to ${recipient.email}.` })).toBeVisible();
  await expect(stepUpPrompt(page)).toHaveCount(0);
  await expect(page.getByTestId('balance')).toContainText('198.00');
  await thief.close();
});
