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

    // A fresh copy right before the press, so the short-lived token cannot expire on the way: nothing
    // but reading cookie jars between the two.
    const victimSessionId = await currentSessionId(victim.context, baseURL!);
    await steal();
    const stolen = await sessionCookies(thief);
    const victimBefore = await sessionCookies(victim.context);
    await thiefPage.getByRole('button', { name: 'Make a copy and try it' }).click();
    await expect(thiefPage.getByRole('heading', { name: 'Tried at once' })).toBeVisible();

    // The press gave the thief nothing: no refresh cookie, no hint, not even a new access token.
    // (The stolen access cookie itself may have lapsed by its 2-second Max-Age meanwhile, on a busy machine.)
    const after = await sessionCookies(thief);
    expect({ refresh: after.refresh, hint: after.hint }).toEqual({ refresh: undefined, hint: undefined });
    expect([stolen.access, undefined]).toContain(after.access);

    // Once the stolen token expires it cannot renew, and the thief is signed out.
    // (The timeline marks the copy's expiry; the page's own try then fails like any of the thief's requests.)
    await expect(thiefPage.getByRole('heading', { name: /^(Expired|Tried after it expired)$/ })).toBeVisible({ timeout: 10_000 });
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

  // The new result takes focus, and the verdict above the timeline says the lesson in plain words.
  const timeline = page.getByRole('region', { name: 'What the copy could do' });
  const moment = (title: string) => timeline.getByRole('listitem').filter({ has: page.getByRole('heading', { name: title, exact: true }) });
  const attempt = (title: string, question: string) => moment(title).getByRole('listitem').filter({ hasText: question });
  await expect(timeline.getByRole('heading', { name: 'Tried at once' })).toBeFocused();
  await expect(moment('Copy made, its session signed out')).toContainText('Your own session was not changed.');
  const verdict = timeline.getByRole('status');
  if (mode === 'stateless') {
    await expect(attempt('Tried at once', 'Read your account')).toContainText('Read your account: yes');
  } else {
    await expect(verdict).toHaveText(/^Signed out, the copy cannot even read your account: this server refused it at once\./);
    await expect(attempt('Tried at once', 'Read your account')).toContainText('Read your account: no');
    await expect(attempt('Tried at once', 'Read your account')).toContainText('refused it at once');
  }
  for (const question of ['Send a payment', 'Change your password']) {
    await expect(attempt('Tried at once', question)).toContainText(`${question}: no`);
    await expect(attempt('Tried at once', question)).toContainText('checks that the session is still signed in');
  }
  // Until it expires, the timeline says when, in the reader's words and clock.
  await expect(timeline.getByRole('heading', { name: /^(Expires|Expired|Tried after it expired)$/ })).toBeVisible();

  // The server's own wording is one click away.
  const detail = moment('Tried at once').getByText('Technical detail');
  await detail.click();
  await expect(moment('Tried at once')).toContainText(`Check mode ${mode}`);
  await expect(moment('Tried at once').getByText(mode === 'stateless' ? /answered 200/ : /answered 401: its session is on the revocation list/)).toBeVisible();

  // The decoded token is shown on request: its header and claims, never the token.
  const decoded = page.getByRole('region', { name: 'The copied token, decoded' });
  await decoded.getByText('Show its header and claims').click();
  await expect(decoded.getByText('at+jwt')).toBeVisible();
  await expect(decoded).toContainText(account.email);

  // When the copy expires, the page tries it again by itself: the new result joins the timeline below
  // the first, which stays, and focus stays where the person left it.
  await expect(moment('Tried after it expired')).toBeVisible({ timeout: 10_000 });
  await expect(moment('Tried at once')).toBeVisible();
  await expect(decoded.getByText('Show its header and claims')).toBeFocused();
  for (const question of ['Read your account', 'Send a payment', 'Change your password']) {
    await expect(attempt('Tried after it expired', question)).toContainText(`${question}: no`);
  }
  await expect(attempt('Tried after it expired', 'Read your account')).toContainText('The copy has expired.');
  await expect(verdict).toHaveText(
    mode === 'stateless'
      ? 'The copy could read your account until it expired, and nothing after. It could not send a payment or change your password.'
      : 'The copy could not read your account, before or after it expired. It could not send a payment or change your password.',
  );

  // The person was never signed out: still the same session, which the lab never touched.
  expect(await currentSessionId(context, baseURL!)).toBe(ownSessionId);
  await page.goto('/dashboard');
  await expect(page.getByRole('heading', { level: 1 })).toContainText(account.email);

  expect((await page.content()).match(ENCODED_JWT)).toBeNull();
  const received = await Promise.all(bodies);
  expect(received.filter((body) => ENCODED_JWT.test(body))).toEqual([]);
});

test('at 375 px, a keyboard press on the lab shows its result on screen, with focus on it, and nothing scrolls sideways', async ({ signedIn, expireAccessToken }, testInfo) => {
  labMode(testInfo);
  const { page } = signedIn;
  await page.setViewportSize({ width: 375, height: 667 });
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.goto('/lab');
    await appHydrated(page);
    // Start from a token issued at the press: the page re-renders after the answer, and a 2-second token
    // that lapsed by then would send it through the renewal hop, a reload that loses the result.
    await expireAccessToken(signedIn.context);
    await page.getByRole('button', { name: /^Make (a|a new) copy and try it$/ }).focus();
    await page.keyboard.press('Enter');
    // The press's own result: "Tried at once", or on a busy machine already past the 2-second expiry.
    const result = page.getByRole('region', { name: 'What the copy could do' }).getByRole('heading', { name: /^Tried (at once|after it expired)$/ }).first();
    await expect(result).toBeFocused();
    await expect(result).toBeInViewport();
    await expect(page.getByRole('region', { name: 'What the copy could do' }).getByRole('status')).toBeInViewport();
    await expect(page.getByRole('region', { name: 'The copied token, decoded' })).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  }
});
