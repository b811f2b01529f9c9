/**
 * The home page gets the premise across in one minute: it says what a copied token can still do after
 * sign-out and leads with the lab, one click away (through sign-in for a visitor, who then lands on the
 * lab), while the by-hand way (cookies copied into another browser profile) stays as a second section.
 */
import { appHydrated, expect, test } from './support/fixtures';

test('a visitor is led to the lab in one click, through sign-in, and lands on it', async ({ page, account }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('What happens to a JWT after logout?');
  const main = page.getByRole('main');
  await expect(main).toContainText('cannot move money or change your password');

  await appHydrated(page);
  await main.getByRole('link', { name: 'See it in one click' }).click();
  await page.waitForURL((url) => url.pathname === '/login');
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === '/lab');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Logout lab');
  await expect(page.getByRole('button', { name: 'Make a copy and try it' })).toBeVisible();
});

test('signed in, the home page opens the lab directly', async ({ signedIn }) => {
  const { page } = signedIn;
  await page.goto('/');
  await appHydrated(page);
  await page.getByRole('main').getByRole('link', { name: 'See it in one click' }).click();
  await page.waitForURL((url) => url.pathname === '/lab');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Logout lab');
});

test('the by-hand way stays on the home page, after the one-click way', async ({ page }) => {
  await page.goto('/');
  const byHand = page.getByRole('region', { name: 'Or do it by hand' });
  await expect(byHand).toContainText('another browser profile');
  await expect(byHand).toContainText('Sign out in the first profile.');
  const oneClick = page.getByRole('link', { name: 'See it in one click' });
  const [linkBox, sectionBox] = [await oneClick.boundingBox(), await byHand.boundingBox()];
  expect(linkBox!.y, 'the one-click way comes first').toBeLessThan(sectionBox!.y);
});

test('at 375 px the one-click way is on screen at once, in both themes, with nothing scrolling sideways', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 667 });
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.goto('/');
    await expect(page.getByRole('link', { name: 'See it in one click' })).toBeInViewport();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  }
});
