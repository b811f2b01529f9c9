import { randomUUID } from 'node:crypto';
import { cookieNamed, DEMO_PASSWORD, expect, signInThroughForm, test } from './support/fixtures';

const alice = { email: 'alice@example.com', password: DEMO_PASSWORD };

test('alice signs in, reaches her dashboard, reloads, and signs out', async ({ page, context }) => {
  await signInThroughForm(page, alice);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('alice@example.com');
  await expect(page.getByTestId('access-token-expiry')).toBeVisible();

  const access = await cookieNamed(context, 'access');
  expect(access, 'access-token cookie').toBeDefined();
  expect(access).toMatchObject({ name: '__Host-access_token', httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });
  const refresh = await cookieNamed(context, 'refresh');
  expect(refresh).toMatchObject({ name: '__Secure-refresh_token', httpOnly: true, secure: true, path: '/api/auth' });
  // Scripts cannot read either token (ASVS 3.3.4).
  expect(await page.evaluate(() => document.cookie)).not.toContain('token');

  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('alice@example.com');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((url) => url.pathname === '/login');
  await expect(page.getByText('You have signed out.')).toBeVisible();
  // The browser really dropped the prefixed cookies (a deletion without `Secure` would be ignored).
  expect(await cookieNamed(context, 'access')).toBeUndefined();
  expect(await cookieNamed(context, 'refresh')).toBeUndefined();

  await page.goto('/dashboard');
  await page.waitForURL((url) => url.pathname === '/login');
});

test('an unauthenticated visit goes to the login form and comes back after sign-in', async ({ page }) => {
  await page.goto('/payments');
  await expect(page).toHaveURL(/\/login\?next=%2Fpayments$/);
  await page.getByLabel('Email').fill('alice@example.com');
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === '/payments');
  await expect(page.getByRole('heading', { name: 'Payments' })).toBeVisible();
});

test('an off-site next parameter is ignored after sign-in', async ({ page, baseURL }) => {
  await page.goto('/login?next=//evil.example/steal');
  await page.getByLabel('Email').fill('alice@example.com');
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === '/dashboard');
  expect(new URL(page.url()).origin).toBe(new URL(baseURL!).origin);
});

test('a wrong password shows one error that does not say which part was wrong', async ({ page, account }) => {
  await page.goto('/login');
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill('not the password at all');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Invalid email or password' })).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);
});

test('invalid input is explained beside its field', async ({ page }) => {
  await page.goto('/signup');
  await page.getByLabel('Email').fill('not-an-email');
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.locator('#email-error')).toContainText('valid email');
  await expect(page.locator('#password-error')).toContainText('at least 12 characters');
  await expect(page.getByLabel('Password')).toHaveAttribute('aria-invalid', 'true');
});

test('a new account can be created and used', async ({ page, request, baseURL }) => {
  const email = `e2e-new-${randomUUID()}@example.com`;
  await page.goto('/signup');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('a long enough new password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL((url) => url.pathname === '/login');
  await expect(page.getByText('Your account is ready')).toBeVisible();
  await signInThroughForm(page, { email, password: 'a long enough new password' });
  await expect(page.getByRole('heading', { level: 1 })).toContainText(email);
  // Signing up again with the same email answers exactly as for a new one (no enumeration).
  const again = await createAccountWithEmail(request, baseURL!, email);
  expect(again.status()).toBe(201);
});

function createAccountWithEmail(request: import('@playwright/test').APIRequestContext, baseURL: string, email: string) {
  return request.post('/api/auth/signup', { data: { email, password: 'another long password' }, headers: { Origin: baseURL } });
}
