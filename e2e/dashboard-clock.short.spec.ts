/**
 * The dashboard's picture of the token lifecycle follows renewals the page itself triggers, against
 * the short-lifetime server (2 s access tokens), where a token really runs out while the page is open.
 *
 * The page's clock runs in real time until the test fixes it (page.clock.setFixedTime) right before a
 * renewal, so a 2-second successor cannot also run out while the test reads the picture.
 */
import { expect, requireShortLifetimes, test } from './support/fixtures';
import type { Page } from '@playwright/test';

requireShortLifetimes();

const meterOf = (page: Page) => page.getByRole('meter', { name: 'Access token lifetime left' });

/** Opens the dashboard and waits for the 2-second token to run out on screen. */
async function dashboardWithExpiredToken(page: Page) {
  await page.goto('/dashboard');
  // Link prefetches happen once the page has loaded; one after the expiry would renew through the GET
  // hop and leave the button nothing to renew.
  await page.waitForLoadState('networkidle');
  await expect(meterOf(page)).toHaveAttribute('aria-valuetext', /^Expired\. /);
  await expect(meterOf(page)).toHaveAttribute('aria-valuenow', '0');
}

/** Stops the page's clock at this moment, so a token issued after it cannot run out on screen. */
async function stopPageClock(page: Page) {
  await page.clock.setFixedTime(Date.now());
}

test('after “Check who I am” renewed an expired token, the clock shows the new expiry, not “expired”', async ({
  signedIn,
  expireAccessToken,
  waitForRenewal,
}) => {
  const { page, context } = signedIn;
  await dashboardWithExpiredToken(page);
  const expiry = page.getByTestId('access-token-expiry').locator('time');
  const expiredAt = await expiry.getAttribute('datetime');
  await expireAccessToken(context); // the browser drops the cookie at its Max-Age, too

  await stopPageClock(page);
  const renewal = waitForRenewal(page);
  await page.getByRole('button', { name: 'Check who I am' }).click();
  const answer = await (await renewal).json();
  expect(answer.accessTokenExpiresAt).not.toBe(expiredAt);

  await expect(page.getByTestId('whoami-result')).toBeVisible();
  await expect(expiry).toHaveAttribute('datetime', answer.accessTokenExpiresAt);
  await expect(meterOf(page)).toHaveAttribute('aria-valuetext', /^Valid\. \d s left of 2 s$/);
  await expect(meterOf(page)).not.toHaveAttribute('aria-valuenow', '0');
  await expect(page.getByRole('status').filter({ hasText: /^Renewed at / })).toContainText('the new access token is valid until');
});

test('a button-triggered renewal moves the bar, the rotation time and the idle deadline, but not the absolute deadline', async ({
  signedIn,
  expireAccessToken,
  waitForRenewal,
}) => {
  const { page, context } = signedIn;
  await dashboardWithExpiredToken(page);
  const rotated = page.getByTestId('refresh-token-rotated');
  const idle = page.getByTestId('idle-deadline').locator('time');
  const absolute = page.getByTestId('absolute-deadline').locator('time');
  await expect(rotated).toHaveText('Not yet: the one from sign-in is still current');
  const idleBefore = await idle.getAttribute('datetime');
  const absoluteBefore = await absolute.getAttribute('datetime');
  await expireAccessToken(context);

  await stopPageClock(page);
  const renewal = waitForRenewal(page);
  await page.getByRole('button', { name: 'Check who I am' }).click();
  const answer = await (await renewal).json();

  await expect(meterOf(page)).toHaveAttribute('aria-valuemax', '2');
  await expect(meterOf(page)).not.toHaveAttribute('aria-valuenow', '0');
  await expect(rotated.locator('time')).toHaveAttribute('datetime', answer.session.lastRotatedAt);
  await expect(rotated).toContainText('1 rotation so far');
  await expect(idle).toHaveAttribute('datetime', answer.session.idleExpiresAt);
  expect(Date.parse(answer.session.idleExpiresAt)).toBeGreaterThan(Date.parse(idleBefore!));
  await expect(absolute).toHaveAttribute('datetime', absoluteBefore!);
  await expect(page.getByTestId('session-row-state')).toContainText('Active');
});

test('a refused renewal says so on the dashboard instead of showing a clock that will never renew', async ({
  signedIn,
  copySession,
  expireAccessToken,
}) => {
  const { page, context } = signedIn;
  await dashboardWithExpiredToken(page);
  // Signing out elsewhere (a copy of this browser posts the logout) revokes the session row.
  const other = await copySession(context);
  await other.page.goto('/login');
  await other.page.evaluate(() => fetch('/api/auth/logout', { method: 'POST' }));
  await expireAccessToken(context);

  await page.getByRole('button', { name: 'Check who I am' }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Renewal refused at / })).toContainText('Your session has ended');
  await expect(meterOf(page)).toHaveAttribute('aria-valuetext', /^Expired\. /);
});
