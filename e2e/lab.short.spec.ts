/**
 * The logout lab (/lab) in a real browser, in both check modes: on the `short` server (stateless,
 * 2-second access tokens) and on the revocation-list server (REVOCATION_SERVER_ENV, 5-second tokens).
 * The expected outcome differs only in the read: stateless, the copy reads until it expires;
 * revocation list, it is refused at once. Payments and password changes are refused in both.
 * The copy is of a separate, signed-out demonstration session's token: the person's own session and
 * cookies are never touched, so a thief pressing the button with a stolen access token gains nothing.
 */
import type { BrowserContext, TestInfo } from '@playwright/test';
import { E2E_SERVERS, REVOCATION_PROJECT } from './support/servers';
import { appHydrated, expect, requireShortLifetimes, sendPayment, test } from './support/fixtures';

/** Skips with the reason when the mode's server is not available; answers the mode. */
function labMode(testInfo: TestInfo): 'stateless' | 'revocation-list' {
  if (testInfo.project.name === REVOCATION_PROJECT) {
    test.skip(E2E_SERVERS.revocation === null, 'needs a revocation-list deployment: set E2E_REVOCATION_BASE_URL');
    return 'revocation-list';
  }
  requireShortLifetimes();
  return 'stateless';
}

/** The session cookies a context holds, by kind: what a session is made of, as the browser sees it. */
async function sessionCookies(context: BrowserContext) {
  const cookies = await context.cookies();
  const named = (suffix: string) => cookies.find((cookie) => cookie.name.endsWith(suffix))?.value;
  return { access: named('access_token'), refresh: named('refresh_token'), hint: named('session_hint') };
}

/** The session a context is signed in to: renews (the short access token may have lapsed), then asks /api/me. */
async function currentSessionId(context: BrowserContext, origin: string): Promise<string> {
  expect((await context.request.post('/api/auth/refresh', { headers: { origin } })).status()).toBe(200);
  return (await (await context.request.get('/api/me')).json()).session.id;
}

/** An encoded JWT: three base64url segments, the first two JSON objects (`eyJ` is `{"`). */
const ENCODED_JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/;

test('a stolen access token alone cannot become a session through the lab', async ({ fundedAccount, account: recipient, signInAs, browser, baseURL }, testInfo) => {
  labMode(testInfo);
  // Waits for the copy to expire, renews, and pays afterwards: longer than the default on a busy machine.
  test.slow();
  const victim = await signInAs(fundedAccount);

  // The thief holds a copy of the victim's access cookie and nothing else, and opens /lab with it.
  const thief = await browser.newContext({ baseURL });
  try {
    // Each copy is of a token the victim just renewed: a 2-second token copied earlier could expire
    // before the thief uses it, on a busy machine.
    const steal = async () => {
      const renewed = await victim.context.request.post('/api/auth/refresh', { headers: { origin: baseURL! } });
      expect(renewed.status()).toBe(200);
      await thief.addCookies((await victim.context.cookies()).filter((cookie) => cookie.name.endsWith('access_token')));
    };
    await steal();
    const thiefPage = await thief.newPage();
    await thiefPage.goto('/lab');
    expect(new URL(thiefPage.url()).pathname, 'the stolen token opened /lab').toBe('/lab');
    await appHydrated(thiefPage);

    // A fresh copy right before the press, so the short-lived token cannot expire on the way.
    await steal();
    const stolen = await sessionCookies(thief);
    const victimBefore = await sessionCookies(victim.context);
    const victimSessionId: string = (await (await victim.context.request.get('/api/me')).json()).session.id;
    await thiefPage.getByRole('button', { name: 'Make a copy and try it' }).click();
    await expect(thiefPage.getByRole('status').filter({ hasText: 'Tried at' })).toBeVisible();

    // The press gave the thief nothing: no refresh cookie, no hint, not even a new access token.
    expect(await sessionCookies(thief)).toEqual({ access: stolen.access, refresh: undefined, hint: undefined });

    // Once the stolen token expires it cannot renew, and the thief is signed out.
    await expect(thiefPage.getByTestId('copy-countdown')).toHaveText('expired', { timeout: 10_000 });
    await expect.poll(async () => (await thief.request.post('/api/auth/refresh', { headers: { origin: baseURL! } })).status(), { timeout: 10_000 }).toBe(401);
    await thiefPage.goto('/dashboard');
    await expect(thiefPage).toHaveURL(/\/login/);

    // The victim's session goes on untouched: same refresh cookie (the access cookie has lapsed by its
    // Max-Age meanwhile, as it would anyway), same session, renews, and can still pay.
    const victimAfter = await sessionCookies(victim.context);
    expect({ refresh: victimAfter.refresh, hint: victimAfter.hint }).toEqual({ refresh: victimBefore.refresh, hint: victimBefore.hint });
    expect(await currentSessionId(victim.context, baseURL!)).toBe(victimSessionId);
    await victim.page.goto('/payments');
    expect(await sendPayment(victim.page, { recipient: recipient.email, amount: '1.00', confirmWith: fundedAccount.password })).toBe('done');
  } finally {
    await thief.close();
  }
});

test('one click makes a copy of a signed-out demonstration session’s access token; the page shows what the copy can still do, and the person’s own session is untouched', async ({
  signedIn,
  expireAccessToken,
  baseURL,
}, testInfo) => {
  const mode = labMode(testInfo);

  const { page, context, account } = signedIn;
  // Everything the browser receives, to prove the copy (or any token) never reaches it.
  const bodies: Promise<string>[] = [];
  page.on('response', (response) => {
    if (response.request().resourceType() !== 'image') bodies.push(response.text().catch(() => ''));
  });

  const ownSessionId = await currentSessionId(context, baseURL!);
  await page.goto('/lab');
  await expect(page.getByTestId('check-mode')).toHaveText(mode);
  await expect(page.getByRole('cell', { name: mode === 'stateless' ? 'allowed until the token expires' : 'refused within a second' })).toHaveAttribute(
    'data-current',
    'true',
  );
  // Start from a token that was just issued: the copy must be younger than its short lifetime when tried.
  await expireAccessToken(context);
  await page.getByRole('button', { name: 'Make a copy and try it' }).click();

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

  // The person was never signed out: still the same session, which the lab never touched.
  expect(await currentSessionId(context, baseURL!)).toBe(ownSessionId);
  await page.goto('/dashboard');
  await expect(page.getByRole('heading', { level: 1 })).toContainText(account.email);

  expect((await page.content()).match(ENCODED_JWT)).toBeNull();
  const received = await Promise.all(bodies);
  expect(received.filter((body) => ENCODED_JWT.test(body))).toEqual([]);
});

test('the lab works at 375 px wide without horizontal scrolling', async ({ signedIn }, testInfo) => {
  labMode(testInfo);
  const { page } = signedIn;
  await page.setViewportSize({ width: 375, height: 800 });
  await page.goto('/lab');
  await page.getByRole('button', { name: 'Make a copy and try it' }).click();
  await expect(page.getByRole('region', { name: 'The copied token, decoded' })).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
});
