/**
 * The lab's "Copy the refresh cookie to another device" in a real Chromium against `next start` (2 s
 * access tokens): signed in through the form, the session is bound to the page's key, and one press
 * shows a copied refresh cookie refused on another device without the key, renewed by this browser,
 * and ending the session when another key signs. The person's own session goes on; no answer carries a
 * token. A session signed in without a key sees the experiment disabled, with why.
 */
import { appHydrated, expect, requireShortLifetimes, signInThroughForm, test } from './support/fixtures';
import { expectNoViolationsInEitherTheme } from './support/accessibility';
import { BINDING_PROOF_EXPLANATION, SECURITY_EVENT_LABELS } from '../lib/audit/event-labels';

requireShortLifetimes();

/** An encoded JWT: three base64url segments, the first two JSON objects (`eyJ` is `{"`). */
const ENCODED_JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/;

test('one press: another device without the key is refused, this browser renews, another key ends the demonstration; the person goes on', async ({
  page,
  account,
}) => {
  await signInThroughForm(page, account);
  const bodies: Promise<string>[] = [];
  page.on('response', (response) => {
    if (response.request().resourceType() !== 'image') bodies.push(response.text().catch(() => ''));
  });
  await page.goto('/lab');
  await appHydrated(page);
  const section = page.getByRole('region', { name: 'Copy the refresh cookie to another device' });
  await section.getByRole('button', { name: 'Copy the refresh cookie and try it' }).click();

  const results = section.getByRole('region', { name: 'What the copied refresh cookie could do' });
  await expect(results.getByRole('heading', { name: 'What the copied refresh cookie could do' })).toBeFocused();
  await expect(results.getByRole('status')).toHaveText(
    'On another device, without the key, the copied refresh cookie could not renew. This browser, which holds the key, renewed it. A proof from another key ended the session.',
  );
  const outcome = (device: string) => results.locator(`li[data-device="${device}"]`);
  await expect(outcome('without_key')).toContainText('Another device, without the key: refused');
  await expect(outcome('without_key')).toContainText('the token was not used up');
  await expect(outcome('this_browser')).toContainText('This browser, with its key: renewed');
  await expect(outcome('own_key')).toContainText('Another device, with a key of its own: refused, session ended');
  await expect(outcome('own_key')).toContainText('recorded it on your activity page');
  await results.getByText('Technical detail').click();
  await expect(results).toContainText('without_key: rotation answered proof_required; refresh token used up: no; session ended: no');
  await expect(results).toContainText('this_browser: rotation answered rotated');
  await expect(results).toContainText('own_key: rotation answered proof_failed; refresh token used up: no; session ended: binding_proof_failed');

  // The person's own session goes on: a page that needs a renewal (2-second tokens) still opens, and
  // /activity tells the demonstration's ending from a real one.
  await page.goto('/activity');
  await expect(page.getByText(SECURITY_EVENT_LABELS.lab_demo_bound)).toBeVisible();
  await expect(page.getByText(BINDING_PROOF_EXPLANATION)).toBeVisible();
  await page.goto('/dashboard');
  await expect(page.getByText(`Signed in as ${account.email}`)).toBeVisible();

  expect((await Promise.all(bodies)).filter((body) => ENCODED_JWT.test(body))).toEqual([]);
});

test('a session signed in without a key sees the experiment disabled, with why', async ({ signedIn }, testInfo) => {
  const { page } = signedIn;
  await page.setViewportSize({ width: 375, height: 667 });
  await page.goto('/lab');
  await appHydrated(page);
  const section = page.getByRole('region', { name: 'Copy the refresh cookie to another device' });
  const button = section.getByRole('button', { name: 'Copy the refresh cookie and try it' });
  await expect(button).toHaveAttribute('aria-disabled', 'true');
  await expect(button).toHaveAccessibleDescription(/this page holds no key this session was bound to at sign-in/);
  // Still focusable (aria-disabled), so a keyboard user can reach it and hear why; a press does nothing.
  await button.focus();
  await page.keyboard.press('Enter');
  await expect(button).toBeFocused();
  await expect(section.getByRole('status')).toHaveText('Nothing tried yet.');
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  await section.screenshot({ path: testInfo.outputPath('lab-refresh-375-unbound.png') });
  await expectNoViolationsInEitherTheme(page, 'lab, refresh-cookie experiment unavailable, at 375 px');
});

test('at 375 px, a keyboard press shows the outcomes on screen, with focus on them, and nothing scrolls sideways', async ({ page, account }, testInfo) => {
  await signInThroughForm(page, account);
  await page.setViewportSize({ width: 375, height: 667 });
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.goto('/lab');
    await appHydrated(page);
    const section = page.getByRole('region', { name: 'Copy the refresh cookie to another device' });
    await section.getByRole('button', { name: 'Copy the refresh cookie and try it' }).focus();
    if (colorScheme === 'light') await section.screenshot({ path: testInfo.outputPath('lab-refresh-375-before.png') });
    await page.keyboard.press('Enter');
    const heading = section.getByRole('heading', { name: 'What the copied refresh cookie could do' });
    await expect(heading).toBeFocused();
    await expect(heading).toBeInViewport();
    await expect(section.getByRole('status')).toContainText('could not renew');
    await expect(section.getByRole('status')).toBeInViewport();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.screenshot({ path: testInfo.outputPath(`lab-refresh-375-${colorScheme}.png`) });
  }
  await expectNoViolationsInEitherTheme(page, 'lab, refresh-cookie outcomes, at 375 px');
});
