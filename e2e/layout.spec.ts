/**
 * Layout as a person sees it: nothing jumps once the scripts arrive (cumulative layout shift, measured
 * by the browser itself), on a phone and on a desktop screen; and long lists stay short enough to read.
 */
import type { Page } from '@playwright/test';
import { appHydrated, expect, signInThroughApi, test } from './support/fixtures';

/** Google's "good" threshold is 0.1; a page that renders its final layout from the server scores 0. */
const MAX_LAYOUT_SHIFT = 0.01;

const VISITOR_PAGES = ['/', '/login'];
const SIGNED_IN_PAGES = ['/dashboard', '/lab', '/sessions', '/activity'];

type Shift = { value: number; moved: string[] };

/**
 * The layout shifts the page has had since it started loading (the browser buffers them), read once
 * the page is hydrated and two frames have been drawn after that, so shifts caused by hydration are in.
 * Shifts right after input (none here) would not count, as in the web-vitals definition.
 */
async function layoutShifts(page: Page): Promise<Shift[]> {
  await appHydrated(page);
  return page.evaluate(
    () =>
      new Promise<Shift[]>((resolve) => {
        type LayoutShift = PerformanceEntry & {
          value: number;
          hadRecentInput: boolean;
          sources: { node: Node | null }[];
        };
        const shifts: Shift[] = [];
        const describe = (node: Node | null) =>
          node instanceof Element ? `${node.tagName.toLowerCase()}${node.className ? `.${String(node.className).replace(/\s+/g, '.')}` : ''}` : String(node?.nodeName);
        const take = (entries: PerformanceEntry[]) => {
          for (const entry of entries as LayoutShift[]) {
            if (!entry.hadRecentInput) shifts.push({ value: entry.value, moved: entry.sources.map((source) => describe(source.node)) });
          }
        };
        const observer = new PerformanceObserver((list) => take(list.getEntries()));
        observer.observe({ type: 'layout-shift', buffered: true });
        requestAnimationFrame(() =>
          requestAnimationFrame(() => {
            take(observer.takeRecords());
            observer.disconnect();
            resolve(shifts);
          }),
        );
      }),
  );
}

async function expectNoLayoutShift(page: Page, path: string, width: number) {
  await page.setViewportSize({ width, height: 800 });
  await page.goto(path);
  const shifts = await layoutShifts(page);
  const total = shifts.reduce((sum, shift) => sum + shift.value, 0);
  // Soft: one run reports every page that shifts, not only the first.
  expect.soft(total, `${path} at ${width} px shifted by ${total.toFixed(3)}: ${JSON.stringify(shifts)}`).toBeLessThan(MAX_LAYOUT_SHIFT);
}

for (const width of [375, 1280]) {
  test(`pages a visitor opens do not shift once loaded, at ${width} px`, async ({ page }) => {
    for (const path of VISITOR_PAGES) await expectNoLayoutShift(page, path, width);
  });

  test(`pages a signed-in person opens do not shift once loaded, at ${width} px`, async ({ signedIn }) => {
    for (const path of SIGNED_IN_PAGES) await expectNoLayoutShift(signedIn.page, path, width);
  });
}

test('at 375 px without script the header shows its links, wrapped, and no Menu button that could not open', async ({
  browser,
  baseURL,
  account,
}) => {
  const context = await browser.newContext({ baseURL, javaScriptEnabled: false, viewport: { width: 375, height: 800 } });
  try {
    await signInThroughApi(context, baseURL!, account);
    const page = await context.newPage();
    await page.goto('/dashboard');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect(nav.getByRole('button', { name: 'Menu' })).toBeHidden();
    for (const name of ['Dashboard', 'Payments', 'Sessions', 'Activity', 'Settings', 'Lab']) {
      await expect(nav.getByRole('link', { name })).toBeVisible();
    }
    await expect(nav.getByRole('button', { name: 'Sign out' })).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, 'the header scrolls sideways').toBeLessThanOrEqual(0);
  } finally {
    await context.close();
  }
});

test('the activity list shows each event in a few short lines: what, when, device and IP address', async ({ signedIn, baseURL }) => {
  const { page, context, account } = signedIn;
  // Eight more sign-ins in the same browser, each replacing (signing out) the one before: with
  // "Account created" and the first sign-in, 18 events, all on the first page.
  for (let i = 0; i < 8; i++) await signInThroughApi(context, baseURL!, account);
  for (const [width, tallest] of [
    [375, 100],
    [1280, 75],
  ] as const) {
    await page.setViewportSize({ width, height: 800 });
    await page.goto('/activity');
    const events = page.getByRole('main').getByRole('list').first().getByRole('listitem');
    await expect(events).toHaveCount(18);
    const newest = events.first();
    // A sign-in and the sign-out it caused can share a millisecond: either may come first.
    await expect(newest.getByRole('heading', { level: 2 })).toHaveText(/^Signed (in|out)$/);
    await expect(events.filter({ has: page.getByRole('heading', { name: 'Signed in', exact: true }) })).toHaveCount(9);
    await expect(newest.getByRole('term')).toHaveText(['When', 'Device', 'IP']);
    await expect(newest.getByRole('definition').nth(2)).toHaveText(/^(127\.0\.0\.1|::1)$/);
    await expect(newest.locator('time')).toHaveAttribute('datetime', /^\d{4}-\d{2}-\d{2}T/);
    // Three short lines on a phone, two beside each other on a wide screen: not a card per event.
    const heights = await events.evaluateAll((items) => items.map((item) => item.getBoundingClientRect().height));
    expect(Math.max(...heights), `the tallest event at ${width} px`).toBeLessThanOrEqual(tallest);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `/activity at ${width} px scrolls sideways`).toBeLessThanOrEqual(0);
  }
});
