/**
 * Renewal and reuse detection in a real browser, against the short-lifetime server (2 s access tokens,
 * 1 s reuse grace window). Expiry is produced by dropping the access cookie, exactly what the browser
 * does when the cookie's Max-Age (the token's lifetime) runs out; nothing waits for it.
 */
import type { Page } from '@playwright/test';
import { cookieNamed, expect, requireShortLifetimes, SHORT_WINDOWS, test, waitUntil } from './support/fixtures';

requireShortLifetimes();

/** Records every URL the page showed, so a test can prove the login form never appeared. */
function trackNavigations(page: Page): string[] {
  const seen: string[] = [];
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) seen.push(new URL(frame.url()).pathname);
  });
  return seen;
}

test('an expired access token renews silently on navigation', async ({ signedIn, expireAccessToken, waitForRenewal }) => {
  const { page, context, account } = signedIn;
  await page.goto('/dashboard');
  const firstRefresh = (await cookieNamed(context, 'refresh'))!.value;

  await expireAccessToken(context);
  const seen = trackNavigations(page);
  const renewal = waitForRenewal(page);
  await page.goto('/payments');
  await renewal;

  await expect(page.getByRole('heading', { name: 'Payments' })).toBeVisible();
  await expect(page.getByText(`Signed in as ${account.email}`)).toBeVisible();
  expect(seen).not.toContain('/login');
  expect(await cookieNamed(context, 'access')).toBeDefined();
  expect((await cookieNamed(context, 'refresh'))!.value).not.toBe(firstRefresh);
});

test('client fetch to /api/* renews once after a 401 and retries', async ({ signedIn, expireAccessToken }) => {
  const { page, context, account } = signedIn;
  await page.goto('/dashboard');
  // The dashboard's links prefetch their pages once it has loaded; a prefetch after the expiry below
  // would renew through the GET hop first and leave the API call nothing to renew. Let them finish.
  await page.waitForLoadState('networkidle');
  await expireAccessToken(context);

  // Only the client's POST renewals: link prefetches of the dashboard may renew through the GET hop too.
  const refreshes: number[] = [];
  page.on('response', (response) => {
    const { pathname } = new URL(response.url());
    if (pathname === '/api/auth/refresh' && response.request().method() === 'POST') refreshes.push(response.status());
  });
  await page.getByRole('button', { name: 'Check who I am' }).click();
  await expect(page.getByTestId('whoami-result')).toContainText(account.email);
  expect(refreshes).toEqual([200]);
});

test('a copied refresh token replayed after rotation signs the real user out', async ({
  signedIn,
  copySession,
  expireAccessToken,
  waitForRenewal,
  baseURL,
}) => {
  const { page, context } = signedIn;
  const thief = await copySession(context);
  const stolen = (await cookieNamed(context, 'refresh'))!.value;

  // The real user keeps browsing; their refresh token rotates.
  await expireAccessToken(context);
  const renewal = waitForRenewal(page);
  await page.goto('/dashboard');
  await renewal;
  const rotatedAt = Date.now();
  expect((await cookieNamed(context, 'refresh'))!.value).not.toBe(stolen);

  // The thief replays the stolen, already-used token once the grace window is over: before that a
  // replay counts as a concurrent sibling (README, "Concurrency"). The server's clock decides, so wait
  // for that deadline itself.
  await waitUntil(rotatedAt + SHORT_WINDOWS.graceMs + 250);
  const replay = await thief.context.request.post('/api/auth/refresh', { headers: { Origin: baseURL! } });
  expect(replay.status()).toBe(401);

  // Reuse revoked the whole session: the real user's next renewal fails and they must sign in again.
  await expireAccessToken(context);
  await page.goto('/dashboard');
  await page.waitForURL((url) => url.pathname === '/login');
  await expect(page.getByLabel('Email')).toBeVisible();
});

test('after sign-out, the refresh token no longer renews anything', async ({ signedIn, expireAccessToken, baseURL }) => {
  const { page, context } = signedIn;
  await page.goto('/dashboard');
  const copied = await context.cookies();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((url) => url.pathname === '/login');

  // Put the pre-logout cookies back, let the access token lapse, and try to renew.
  await context.addCookies(copied);
  await expireAccessToken(context);
  const refresh = await page.request.post('/api/auth/refresh', { headers: { Origin: baseURL! } });
  expect(refresh.status()).toBe(401);
  await page.goto('/dashboard');
  await page.waitForURL((url) => url.pathname === '/login');
});
