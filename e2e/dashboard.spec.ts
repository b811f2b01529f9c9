/**
 * The dashboard as a person sees it: the session row's state read honestly (a copied token's
 * dashboard no longer looks like a live one), times in the reader's own time zone, and a layout that
 * fits a phone.
 */
import { expect, test, waitUntil } from './support/fixtures';

test('after logout, a copied session’s dashboard still opens but says its session row is revoked', async ({
  signedIn,
  copySession,
}) => {
  const { page, context, account } = signedIn;
  await page.goto('/dashboard');
  const row = page.getByRole('region', { name: 'Session row' });
  await expect(row.getByTestId('session-row-state')).toHaveText(/^Active/);
  await expect(row).toContainText('let in by the signed access token alone');

  const thief = await copySession(context);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((url) => url.pathname === '/login');

  // The page is stateless: the copied token still opens it (the premise)...
  await thief.page.goto('/dashboard');
  await expect(thief.page.getByRole('heading', { level: 1 })).toContainText(account.email);
  await expect(thief.page.getByRole('meter', { name: 'Access token lifetime left' })).toHaveAttribute('aria-valuetext', /^Valid\. /);
  // ...but it no longer looks like a live session: the row, read separately, is revoked.
  const copiedRow = thief.page.getByRole('region', { name: 'Session row' });
  await expect(copiedRow.getByTestId('session-row-state')).toHaveText(/^Revoked at .+: signed out\.$/);
  await expect(copiedRow).toContainText('the session is over, yet this page opened');
});

test.describe('in the reader’s time zone', () => {
  test.use({ timezoneId: 'Asia/Kolkata' });

  test('the dashboard shows times in the reader’s zone and in words, never as ISO strings', async ({ signedIn }) => {
    const { page } = signedIn;
    await page.goto('/dashboard');
    const expiry = page.getByTestId('access-token-expiry');
    const expiresAt = new Date((await expiry.locator('time').getAttribute('datetime'))!);
    const inKolkata = new Intl.DateTimeFormat('en', {
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZone: 'Asia/Kolkata',
    }).format(expiresAt);
    await expect(expiry).toHaveText(new RegExp(`^${inKolkata} \\(in (4|5) minutes\\)$`));
    await expect(page.getByTestId('absolute-deadline')).toContainText(/\((in [67] days|next week)\)/);
    expect(await page.locator('main').innerText()).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:/);
  });
});

for (const width of [320, 375]) {
  test(`the dashboard fits ${width} px without scrolling sideways, in light and dark`, async ({ signedIn }) => {
    const { page } = signedIn;
    await page.setViewportSize({ width, height: 800 });
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await page.goto('/dashboard');
      await expect(page.getByRole('meter', { name: 'Access token lifetime left' })).toBeVisible();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${colorScheme}: page wider than the viewport by ${overflow} px`).toBeLessThanOrEqual(0);
    }
  });
}

test('a renewal made in another tab reaches the clock once the page sees the newer token', async ({
  signedIn,
  expireAccessToken,
  waitForRenewal,
}) => {
  const { page, context } = signedIn;
  await page.goto('/dashboard');
  await page.waitForLoadState('networkidle');
  const expiry = page.getByTestId('access-token-expiry').locator('time');
  const drawn = await expiry.getAttribute('datetime');
  // Token times have whole-second resolution: let the next token be issued in a later second.
  await waitUntil(Math.ceil(Date.now() / 1000) * 1000 + 100);

  // Another tab of the same browser finds the token expired and renews through the navigation hop:
  // new cookies, of which this page's scripts hear nothing.
  await expireAccessToken(context);
  const otherTab = await context.newPage();
  const renewal = waitForRenewal(otherTab);
  await otherTab.goto('/payments');
  await renewal;

  const posts: number[] = []; // this page's own renewals (lib/client/refresh.ts)
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/api/auth/refresh' && request.method() === 'POST') posts.push(1);
  });
  await page.bringToFront();
  await page.getByRole('button', { name: 'Check who I am' }).click();
  const answered = page.getByTestId('whoami-result').locator('time');
  await expect(answered).toBeVisible();
  const current = await answered.getAttribute('datetime');
  expect(current).not.toBe(drawn);
  // The page re-read its server data: the other tab's token and its rotation, with no renewal of its own.
  await expect(expiry).toHaveAttribute('datetime', current!);
  await expect(page.getByTestId('refresh-token-rotated')).toContainText('1 rotation so far');
  expect(posts).toEqual([]);
});

test('an expired clock checks for a newer token when the person comes back to the page', async ({
  signedIn,
  expireAccessToken,
  waitForRenewal,
}) => {
  const { page, context } = signedIn;
  await page.clock.install();
  await page.goto('/dashboard');
  await page.waitForLoadState('networkidle');
  const expiry = page.getByTestId('access-token-expiry').locator('time');
  const drawn = await expiry.getAttribute('datetime');
  await waitUntil(Math.ceil(Date.now() / 1000) * 1000 + 100);
  // The page's clock runs past the token's five minutes; the browser drops the cookie at its Max-Age.
  await page.clock.fastForward('05:10');
  await expireAccessToken(context);
  await expect(page.getByRole('meter', { name: 'Access token lifetime left' })).toHaveAttribute('aria-valuetext', /^Expired\. /);

  // Meanwhile another tab renews.
  const otherTab = await context.newPage();
  const renewal = waitForRenewal(otherTab);
  await otherTab.goto('/payments');
  await renewal;

  // Coming back to the page (focus) makes it ask GET /api/me, which renews nothing, and redraw.
  await page.evaluate(() => window.dispatchEvent(new Event('focus')));
  await expect(expiry).not.toHaveAttribute('datetime', drawn!);
  await expect(page.getByTestId('refresh-token-rotated')).toContainText('1 rotation so far');
});
