/**
 * Seeing and ending your sessions (/sessions), what happened to the account (/activity), and why a
 * browser was signed out (the sign-in page), in two real browser contexts of one account. Against the
 * short-lifetime server (2 s access tokens, 1 s grace window, 4 s step-up window), so that ending a
 * session asks for the password as a payment does, and the revoked browser's token has expired by the
 * time it acts.
 */
import type { Page } from '@playwright/test';
import {
  confirmPassword,
  cookieNamed,
  expect,
  requireShortLifetimes,
  sendPayment,
  SHORT_WINDOWS,
  signInThenStepUpExpiry,
  signInThroughForm,
  stepUpPrompt,
  test,
  waitUntil,
} from './support/fixtures';
import { describeDevice } from '../lib/format/device';

requireShortLifetimes();

const REVOKED_NOTICE = 'You were signed out because this session was ended from another device.';
const REUSE_NOTICE = 'You were signed out because this session’s refresh token was used twice';

/** The session cards on /sessions (the list sits in the region named by its "N active sessions" heading). */
function sessionItems(page: Page) {
  return page.getByRole('region', { name: /active session/ }).getByRole('listitem');
}

const LOCAL_IP = /127\.0\.0\.1|::1/;

test('a person sees both sessions, signs the other one out with a password confirmation, and that browser is told why', async ({
  account,
  signInAs,
  page,
}, testInfo) => {
  // The first browser signs in through the form, so its session is bound and keeps the step-up window.
  const first = await signInThenStepUpExpiry(async (a) => (await signInThroughForm(page, a), { page }), account);
  const second = await signInAs(account);
  // The second browser has the payment form open before it is signed out from elsewhere.
  await second.page.goto('/payments');
  await expect(second.page.getByRole('heading', { name: 'Payments' })).toBeVisible();

  await first.page.goto('/sessions');
  await expect(first.page.getByRole('heading', { name: '2 active sessions' })).toBeVisible();
  const items = sessionItems(first.page);
  await expect(items).toHaveCount(2);
  const thisDevice = items.filter({ hasText: 'This device' });
  await expect(thisDevice).toHaveCount(1);
  // The device is parsed from the user agent this browser sent (lib/format/device.ts; the parsing has unit tests).
  const device = describeDevice(await first.page.evaluate(() => navigator.userAgent));
  expect(device).toMatch(/^Chrome \d+ on /);
  await expect(thisDevice.getByRole('heading', { level: 3 })).toHaveText(device);
  await expect(thisDevice).toContainText(LOCAL_IP);
  await expect(thisDevice.getByText('Signed in')).toBeVisible();
  await expect(thisDevice.getByText('Last active')).toBeVisible();
  // No Sign out button for the session this page runs in.
  await expect(thisDevice.getByRole('button', { name: 'Sign out' })).toHaveCount(0);

  // Past the step-up window (server clock, from the sign-in): ending a session needs the password again.
  await first.stepUpExpired();
  await items.filter({ hasNotText: 'This device' }).getByRole('button', { name: 'Sign out' }).click();
  await expect(stepUpPrompt(first.page)).toBeVisible();
  await expect(stepUpPrompt(first.page).getByLabel('Password', { exact: true })).toBeFocused();
  await first.page.screenshot({ path: testInfo.outputPath('sessions-step-up.png'), fullPage: true });
  await expect(items).toHaveCount(2);
  await confirmPassword(first.page, account.password);
  await expect(first.page.getByRole('status').filter({ hasText: `Signed out ${device}.` })).toBeVisible();
  await expect(first.page.getByRole('heading', { name: '1 active session' })).toBeVisible();
  await expect(items).toHaveCount(1);
  await expect(items).toContainText('This device');
  await expect(first.page.getByText('This is your only active session.')).toBeVisible();

  // The second browser: its access token has expired, and its renewal is refused at once.
  const renewal = second.page.waitForResponse(
    (response) => new URL(response.url()).pathname === '/api/auth/refresh' && response.request().method() === 'POST',
  );
  expect(await sendPayment(second.page, { recipient: 'bob@example.com', amount: '1' })).toBe('session-ended');
  expect((await renewal).status()).toBe(401);
  expect(await cookieNamed(second.context, 'refresh_token')).toBeUndefined();

  // Its sign-in page says why, in one sentence.
  const noticeSeen = second.page.waitForResponse((response) => new URL(response.url()).pathname === '/api/auth/signed-out-notice');
  await second.page.getByRole('link', { name: 'Sign in again' }).click();
  await second.page.waitForURL((url) => url.pathname === '/login');
  await expect(second.page.getByRole('status').filter({ hasText: REVOKED_NOTICE })).toBeVisible();
  await second.page.screenshot({ path: testInfo.outputPath('login-signed-out-notice.png'), fullPage: true });
  // Shown once: the page has the reason cookie deleted, and the sentence stays on screen meanwhile.
  expect((await noticeSeen).status()).toBe(200);
  expect(await cookieNamed(second.context, 'signed_out')).toBeUndefined();
  await expect(second.page.getByText(REVOKED_NOTICE)).toBeVisible();
  // A reload, or a navigation that lands on the sign-in form again, does not repeat it.
  await second.page.reload();
  await expect(second.page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(second.page.getByText(REVOKED_NOTICE)).toHaveCount(0);
  await second.page.goto('/dashboard');
  await second.page.waitForURL((url) => url.pathname === '/login');
  await expect(second.page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(second.page.getByText(REVOKED_NOTICE)).toHaveCount(0);

  // The first browser's activity shows what happened, newest first.
  await first.page.goto('/activity');
  const events = first.page.getByRole('main').getByRole('listitem');
  await expect(events.first().getByRole('heading', { level: 2 })).toHaveText('A session was signed out');
  await expect(events.first()).toContainText(`Signed out ${device} at `);
  await expect(events.first()).toContainText(LOCAL_IP);
  await expect(events.nth(1).getByRole('heading', { level: 2 })).toHaveText('Password confirmed');
  await expect(events.filter({ has: first.page.getByRole('heading', { name: 'Signed in', exact: true }) })).toHaveCount(2);
  await expect(events.filter({ has: first.page.getByRole('heading', { name: 'Account created' }) })).toHaveCount(1);
  // The refused payment changed nothing, so it is not there.
  await expect(events.filter({ hasText: 'Payment sent' })).toHaveCount(0);
  await first.page.screenshot({ path: testInfo.outputPath('activity-after-sign-out.png'), fullPage: true });
});

test('after refresh-token reuse the real browser is told why on its sign-in page, and activity shows it as a warning', async ({
  signedIn,
  copySession,
  expireAccessToken,
  waitForRenewal,
  baseURL,
}, testInfo) => {
  const { page, context, account } = signedIn;
  const thief = await copySession(context);

  // The real browser renews: the copied refresh token is now used.
  await expireAccessToken(context);
  const renewal = waitForRenewal(page);
  await page.goto('/dashboard');
  await renewal;
  const rotatedAt = Date.now();

  // The copy is replayed after the grace window: reuse, the whole session is revoked.
  await waitUntil(rotatedAt + SHORT_WINDOWS.graceMs + 250);
  const replay = await thief.context.request.post('/api/auth/refresh', { headers: { Origin: baseURL! } });
  expect(replay.status()).toBe(401);

  // The real browser's next page: renewal fails, and the sign-in page says why.
  await expireAccessToken(context);
  await page.goto('/payments');
  await page.waitForURL((url) => url.pathname === '/login');
  await expect(page.getByRole('status').filter({ hasText: REUSE_NOTICE })).toBeVisible();

  // Signing in again clears the notice and shows the warning on /activity.
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === '/payments');
  await page.goto('/activity');
  const warning = page.getByRole('main').getByRole('listitem').filter({ hasText: 'Refresh token used twice' });
  await expect(warning).toHaveCount(1);
  await expect(warning).toContainText('Warning:');
  await expect(warning).toContainText('We signed out a session because its refresh token was used twice.');
  await expect(warning.getByRole('link', { name: 'change your password' })).toHaveAttribute('href', '/settings/password');
  await page.setViewportSize({ width: 375, height: 900 });
  await page.screenshot({ path: testInfo.outputPath('activity-reuse-375.png'), fullPage: true });
  await page.goto('/login');
  await expect(page.getByText(REUSE_NOTICE)).toHaveCount(0);
  // Nothing in the URL can make the page say it: another site could link to any URL.
  for (const query of ['reason=refresh_token_reuse', 'signedOutReason=revoked_by_user', 'signed_out=revoked_by_user']) {
    await page.goto(`/login?${query}`);
    await expect(page.getByText('You were signed out because')).toHaveCount(0);
  }
});

test('the sessions and activity pages fit a 375 px wide screen', async ({ account, signInAs }, testInfo) => {
  const { page } = await signInAs(account);
  await signInAs(account);
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    for (const path of ['/sessions', '/activity']) {
      await page.goto(path);
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${path} at ${width} px scrolls sideways`).toBeLessThanOrEqual(0);
      // Kept with the test's results, for a person to look at.
      await page.screenshot({ path: testInfo.outputPath(`${path.slice(1)}-${width}.png`), fullPage: true });
    }
  }
});

test('a bad activity page link says so and shows the newest events instead', async ({ signedIn }) => {
  const { page } = signedIn;
  await page.goto('/activity?before=not-a-cursor');
  await expect(page.getByRole('alert').filter({ hasText: 'That page link is not valid. Showing your newest activity instead.' })).toBeVisible();
  await expect(page.getByRole('main').getByRole('listitem').first()).toContainText('Signed in');
});
