/**
 * The logout lab (/lab) in a real browser, in both check modes: on the `short` server (stateless,
 * 2-second access tokens) and on the revocation-list server (REVOCATION_SERVER_ENV, 5-second tokens).
 * The expected outcome differs only in the read: stateless, the copy reads until it expires;
 * revocation list, it is refused at once. Payments and password changes are refused in both.
 */
import { E2E_SERVERS, REVOCATION_PROJECT } from './support/servers';
import { expect, requireShortLifetimes, test } from './support/fixtures';

/** An encoded JWT: three base64url segments, the first two JSON objects (`eyJ` is `{"`). */
const ENCODED_JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/;

test('one click signs the session out but keeps a copy of its access token; the page shows what the copy can still do', async ({
  signedIn,
  expireAccessToken,
}, testInfo) => {
  const revocationMode = testInfo.project.name === REVOCATION_PROJECT;
  if (revocationMode) test.skip(E2E_SERVERS.revocation === null, 'needs a revocation-list deployment: set E2E_REVOCATION_BASE_URL');
  else requireShortLifetimes();
  const mode = revocationMode ? 'revocation-list' : 'stateless';

  const { page, context, account } = signedIn;
  // Everything the browser receives, to prove the copy (or any token) never reaches it.
  const bodies: Promise<string>[] = [];
  page.on('response', (response) => {
    if (response.request().resourceType() !== 'image') bodies.push(response.text().catch(() => ''));
  });

  await page.goto('/lab');
  await expect(page.getByTestId('check-mode')).toHaveText(mode);
  await expect(page.getByRole('cell', { name: mode === 'stateless' ? 'allowed until the token expires' : 'refused within a second' })).toHaveAttribute(
    'data-current',
    'true',
  );
  // Start from a token that was just issued: the copy must be younger than its short lifetime when tried.
  await expireAccessToken(context);
  await page.getByRole('button', { name: 'Sign out and keep a copy' }).click();

  const results = page.getByRole('status').filter({ hasText: 'Tried at' });
  const outcome = (probe: string) => results.locator(`[data-probe="${probe}"]`);
  await expect(results).toContainText(`before the copy expired, in ${mode} mode`);
  if (mode === 'stateless') {
    await expect(outcome('read')).toContainText('allowed');
    await expect(outcome('read')).toContainText('answered 200');
  } else {
    await expect(outcome('read')).toContainText('refused');
    await expect(outcome('read')).toContainText('answered 401: its session is on the revocation list');
  }
  for (const probe of ['payment', 'password_change']) {
    await expect(outcome(probe)).toContainText('refused');
    await expect(outcome(probe)).toContainText('the session row is revoked');
  }

  // The decoded token is shown: its header and claims, never the token.
  const decoded = page.getByRole('region', { name: 'The copied token, decoded' });
  await expect(decoded).toContainText('at+jwt');
  await expect(decoded).toContainText(account.email);
  await expect(page.getByTestId('copy-countdown')).toContainText(/in \d+ s|expired/);

  // When the countdown passes the copy's expiry, the page tries it again by itself: now the read fails too.
  await expect(results).toContainText('after the copy expired', { timeout: 10_000 });
  await expect(page.getByTestId('copy-countdown')).toHaveText('expired');
  for (const probe of ['read', 'payment', 'password_change']) await expect(outcome(probe)).toContainText('refused');
  await expect(outcome('read')).toContainText('the token has expired');

  // The person was never signed out: the lab continued them in a new session.
  await page.goto('/dashboard');
  await expect(page.getByRole('heading', { level: 1 })).toContainText(account.email);

  expect((await page.content()).match(ENCODED_JWT)).toBeNull();
  const received = await Promise.all(bodies);
  expect(received.filter((body) => ENCODED_JWT.test(body))).toEqual([]);
});

test('the lab works at 375 px wide without horizontal scrolling', async ({ signedIn }, testInfo) => {
  if (testInfo.project.name === REVOCATION_PROJECT) test.skip(E2E_SERVERS.revocation === null, 'needs a revocation-list deployment: set E2E_REVOCATION_BASE_URL');
  else requireShortLifetimes();
  const { page } = signedIn;
  await page.setViewportSize({ width: 375, height: 800 });
  await page.goto('/lab');
  await page.getByRole('button', { name: 'Sign out and keep a copy' }).click();
  await expect(page.getByRole('region', { name: 'The copied token, decoded' })).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
});
