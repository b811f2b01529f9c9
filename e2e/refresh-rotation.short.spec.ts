/**
 * Runs against the `short` server: access tokens live 2 s, the reuse grace window is 1 s.
 */
import { expect, test, type Page } from '@playwright/test';
import { cookieNamed, createAccount, signIn } from './support/accounts';

const TOKEN_LIFETIME_MS = 2_000;

/** Records every URL the page showed, so a test can prove the login form never appeared. */
function trackNavigations(page: Page): string[] {
  const seen: string[] = [];
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) seen.push(new URL(frame.url()).pathname);
  });
  return seen;
}

test('an expired access token renews silently on navigation', async ({ page, context, request, baseURL }) => {
  const account = await createAccount(request, baseURL!);
  await signIn(page, account.email, account.password);
  const firstAccess = (await cookieNamed(context, 'access'))!.value;
  const firstRefresh = (await cookieNamed(context, 'refresh'))!.value;

  await page.waitForTimeout(TOKEN_LIFETIME_MS + 700);
  const seen = trackNavigations(page);
  await page.goto('/payments');

  await expect(page.getByRole('heading', { name: 'Payments' })).toBeVisible();
  await expect(page.getByText(`Signed in as ${account.email}`)).toBeVisible();
  expect(seen).not.toContain('/login');
  expect((await cookieNamed(context, 'access'))!.value).not.toBe(firstAccess);
  expect((await cookieNamed(context, 'refresh'))!.value).not.toBe(firstRefresh);
});

test('client fetch to /api/* renews once after a 401 and retries', async ({ page, request, baseURL }) => {
  const account = await createAccount(request, baseURL!);
  await signIn(page, account.email, account.password);
  await page.waitForTimeout(TOKEN_LIFETIME_MS + 700);

  const refreshes: number[] = [];
  page.on('response', (response) => {
    if (new URL(response.url()).pathname === '/api/auth/refresh') refreshes.push(response.status());
  });
  await page.getByRole('button', { name: 'Check who I am' }).click();
  await expect(page.getByTestId('whoami-result')).toContainText(account.email);
  expect(refreshes).toEqual([200]);
});

test('a copied refresh token replayed after rotation signs the real user out', async ({
  page,
  context,
  browser,
  request,
  baseURL,
}) => {
  const account = await createAccount(request, baseURL!);
  await signIn(page, account.email, account.password);
  const stolen = (await cookieNamed(context, 'refresh'))!;

  // The real user keeps browsing; their refresh token rotates.
  await page.waitForTimeout(TOKEN_LIFETIME_MS + 700);
  await page.goto('/dashboard');
  await expect(page.getByRole('heading', { level: 1 })).toContainText(account.email);
  expect((await cookieNamed(context, 'refresh'))!.value).not.toBe(stolen.value);

  // Later (past the grace window), the attacker replays the stolen, already-used token.
  await page.waitForTimeout(1_500);
  const attacker = await browser.newContext({ baseURL });
  await attacker.addCookies([stolen]);
  const replay = await attacker.request.post('/api/auth/refresh', { headers: { Origin: baseURL! } });
  expect(replay.status()).toBe(401);
  await attacker.close();

  // Reuse revoked the whole session: the real user's next renewal fails and they must sign in again.
  await page.waitForTimeout(TOKEN_LIFETIME_MS + 500);
  await page.goto('/dashboard');
  await page.waitForURL((url) => url.pathname === '/login');
  await expect(page.getByLabel('Email')).toBeVisible();
});

test('after sign-out, the refresh token no longer renews anything', async ({ page, context, request, baseURL }) => {
  const account = await createAccount(request, baseURL!);
  await signIn(page, account.email, account.password);
  const copied = await context.cookies();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((url) => url.pathname === '/login');

  // Put the pre-logout cookies back, wait for the access token to lapse, and try to renew.
  await context.addCookies(copied);
  await page.waitForTimeout(TOKEN_LIFETIME_MS + 500);
  const refresh = await page.request.post('/api/auth/refresh', { headers: { Origin: baseURL! } });
  expect(refresh.status()).toBe(401);
  await page.goto('/dashboard');
  await page.waitForURL((url) => url.pathname === '/login');
});
