/**
 * Nobody is signed out by mistake. Rotating refresh tokens are single-use, so every place where a browser
 * renews twice at once, or loses a renewal's answer, is a place where reuse detection could mistake the
 * person for a thief: concurrent server-rendered refreshes (supabase/supabase#18981,
 * workos/authkit-nextjs#28), several tabs refreshing at once (supabase/auth-js#213), link prefetch
 * running the renewal (vercel/next.js#38128), a navigation cut short mid-renewal. Each scenario here
 * starts just as the access token runs out (the browser drops the cookie at its Max-Age, 2 s on the
 * short server), in a real Chromium against `next start`, and asserts what the person sees: no sign-in
 * page, no refused renewal, the dashboard still says the session row is Active, GET /api/me answers,
 * and /activity lists no refresh-token reuse.
 *
 * The converse closes each scenario: the refresh token the browser held before it, replayed from
 * ANOTHER browser context after the 1 s grace window, still ends the session (RFC 9700 4.14.2,
 * ASVS 7.2.4): the thief is refused, the person's next renewal is refused, and /activity says why.
 * The grace window that keeps concurrent renewals signed in must not let a real replay through.
 *
 * Nothing sleeps to hide a race: scenarios start at the cookie's own expiry, and wait on responses,
 * requests and cookies. The one other wait is the server-side grace window before a replay, named as
 * the deadline it is (`waitUntil`).
 */
import { request as playwrightRequest, type Browser, type BrowserContext, type Cookie, type Page, type Request as PlaywrightRequest, type Response } from '@playwright/test';
import {
  appHydrated,
  cookieNamed,
  createAccount,
  expect,
  requireShortLifetimes,
  sendPayment,
  SHORT_WINDOWS,
  signInThroughApi,
  test,
  waitUntil,
  type Account,
} from './support/fixtures';
import {
  expectStillSignedIn,
  REUSE_EXPLANATION,
  waitForAccessTokenExpiry,
  watchForSignOut,
  type SignOutWatch,
} from './support/sign-out-watch';

import { SIGNED_OUT_MESSAGES } from '../lib/session/signed-out-reason';

requireShortLifetimes();

/** No sign of a sign-out anywhere in the context while the scenario ran. */
async function expectNoSignOut(context: BrowserContext, watch: SignOutWatch): Promise<void> {
  expect(watch.loginPages, 'no page showed the sign-in form').toEqual([]);
  expect(watch.refusals(), 'no renewal was refused').toEqual([]);
  expect(await cookieNamed(context, 'signed_out'), 'no "why you were signed out" cookie').toBeUndefined();
  expect(await cookieNamed(context, 'refresh_token'), 'the browser still holds a refresh token').toBeDefined();
}

/**
 * The converse: `stolen` (the cookies the browser held before the scenario, so a refresh token the
 * scenario rotated) is replayed from another browser context once the grace window has passed since
 * `rotatedBy`. The session ends: the replay is refused, the person's next renewal lands on the sign-in
 * page with the reason, and after signing in again /activity shows the reuse.
 */
async function expectReplayEndsTheSession(
  browser: Browser,
  baseURL: string,
  victim: { context: BrowserContext; page: Page; account: Account },
  stolen: Cookie[],
  rotatedBy: number,
): Promise<void> {
  const stolenRefresh = stolen.find((cookie) => cookie.name.includes('refresh_token'))!.value;
  expect((await cookieNamed(victim.context, 'refresh_token'))!.value, 'the scenario rotated the stolen token').not.toBe(stolenRefresh);

  const thief = await browser.newContext({ baseURL });
  try {
    await thief.addCookies(stolen);
    await waitUntil(rotatedBy + SHORT_WINDOWS.graceMs + 250);
    const replay = await thief.request.post('/api/auth/refresh', { headers: { Origin: baseURL } });
    expect(replay.status(), 'the replayed, already rotated refresh token is refused').toBe(401);
  } finally {
    await thief.close();
  }

  // The person's next renewal is refused: the session was revoked for reuse.
  await waitForAccessTokenExpiry(victim.context);
  await victim.page.goto('/dashboard');
  expect(new URL(victim.page.url()).pathname).toBe('/login');
  await expect(victim.page.getByText(SIGNED_OUT_MESSAGES.refresh_token_reuse)).toBeVisible();

  await signInThroughApi(victim.context, baseURL, victim.account);
  await victim.page.goto('/activity');
  await expect(victim.page.getByText(REUSE_EXPLANATION)).toBeVisible();
}

/**
 * Opens `path` in each page at the same moment; resolves when every one has landed somewhere. Each
 * page's navigation request is held in the browser until all of them have been made, then all are sent
 * together: on a busy machine one tab's whole renewal could otherwise finish before another tab starts,
 * and that tab would arrive with the fresh token instead of racing. If a page never makes its request
 * within 10 s, the others go anyway (and the scenario's own assertions say what was missed).
 */
async function openAllAtOnce(pages: Page[], paths: string[]) {
  let made = 0;
  let sendAll!: () => void;
  const allMade = new Promise<void>((resolve) => (sendAll = resolve));
  const giveUp = setTimeout(sendAll, 10_000);
  await Promise.all(
    pages.map((page, i) =>
      page.route(
        (url) => url.pathname === paths[i],
        async (route) => {
          if (++made === pages.length) sendAll();
          await allMade;
          await route.continue();
        },
        { times: 1 },
      ),
    ),
  );
  try {
    return await Promise.all(pages.map((page, i) => page.goto(paths[i]!)));
  } finally {
    clearTimeout(giveUp);
  }
}

/** The paths a navigation went through, from where it landed back to where it started. */
function redirectChain(response: Response | null): string[] {
  const chain: string[] = [];
  for (let request = response?.request() ?? null; request; request = request.redirectedFrom()) {
    chain.push(new URL(request.url()).pathname);
  }
  return chain;
}

/**
 * Starts the renewal hop from `page` (the same-origin navigation the proxy's redirect makes, made
 * first-hand because Playwright does not intercept the hops of a redirect chain) and holds it in the
 * browser: it is never answered. `whileHeld` runs on it first. `held` settles once `whileHeld` has;
 * `cancelled` once a later navigation of the page has cut the held request off.
 */
async function startHeldRenewalHop(
  page: Page,
  whileHeld: (request: PlaywrightRequest) => Promise<void>,
): Promise<{ held: Promise<void>; cancelled: Promise<PlaywrightRequest> }> {
  let markHeld!: () => void;
  let failHeld!: (error: unknown) => void;
  const held = new Promise<void>((resolve, reject) => ((markHeld = resolve), (failHeld = reject)));
  await page.route(
    /\/api\/auth\/refresh\?/,
    async (route) => {
      await whileHeld(route.request()).then(markHeld, failHeld);
      await route.request().response().catch(() => null);
    },
    { times: 1 },
  );
  const cancelled = page.waitForEvent('requestfailed', (request) => new URL(request.url()).pathname === '/api/auth/refresh');
  await page.evaluate(() => location.assign('/api/auth/refresh?next=%2Fpayments'));
  return { held, cancelled };
}

test('four tabs renewing at the same moment all stay signed in', async ({ signedIn, browser, baseURL }) => {
  const { context, page, account } = signedIn;
  const pages = [page, ...(await Promise.all([1, 2, 3].map(() => context.newPage())))];
  const paths = ['/dashboard', '/payments', '/sessions', '/activity'];
  const headings = [/Signed in as/, /^Payments$/, /^Sessions$/, /^Activity$/];
  await openAllAtOnce(pages, paths);
  for (const [i, tab] of pages.entries()) expect(new URL(tab.url()).pathname, `tab ${i + 1} opened signed in`).toBe(paths[i]);

  await waitForAccessTokenExpiry(context);
  const stolen = await context.cookies();
  const watch = watchForSignOut(context);
  const landed = await openAllAtOnce(pages, paths);
  const rotatedBy = Date.now();

  for (const [i, tab] of pages.entries()) {
    expect(new URL(tab.url()).pathname, `tab ${i + 1} is on the page it asked for`).toBe(paths[i]);
    await expect(tab.getByRole('heading', { level: 1, name: headings[i] })).toBeVisible();
  }
  // All four renewed through the GET hop, at once: each tab's navigation was redirected through it.
  for (const [i, response] of landed.entries()) {
    expect(redirectChain(response), `tab ${i + 1} renewed through the hop`).toContain('/api/auth/refresh');
  }
  await expectNoSignOut(context, watch);
  await expectStillSignedIn(page, account.email);

  await expectReplayEndsTheSession(browser, baseURL!, signedIn, stolen, rotatedBy);
});

test('a dashboard render and its client calling the API in parallel all stay signed in', async ({ signedIn, browser, baseURL }) => {
  const { context, page, account } = signedIn;
  await page.goto('/dashboard');
  await appHydrated(page);
  await waitForAccessTokenExpiry(context);
  const stolen = await context.cookies();
  const watch = watchForSignOut(context);
  // In one task of the page, so they leave together: the dashboard opens in a second tab (a server
  // render through the GET renewal hop), the page's own "Check who I am" runs fetchWithRefresh, and
  // four more calls each answer their 401 with a POST renewal of their own and retry, as code without
  // per-tab single flight (or four separate tabs) would.
  const opened = context.waitForEvent('page');
  const calls = await page.evaluate(() => {
    const check = [...document.querySelectorAll('button')].find((button) => button.textContent?.trim() === 'Check who I am')!;
    window.open('/dashboard', '_blank');
    check.click();
    return Promise.all(
      [1, 2, 3, 4].map(async () => {
        const first = await fetch('/api/me', { credentials: 'same-origin' });
        if (first.status !== 401) return first.status;
        const renewed = await fetch('/api/auth/refresh', { method: 'POST', credentials: 'same-origin' });
        if (!renewed.ok) return renewed.status;
        return (await fetch('/api/me', { credentials: 'same-origin' })).status;
      }),
    );
  });
  const second = await opened;
  await second.waitForURL((url) => url.pathname === '/dashboard');
  const rotatedBy = Date.now();

  expect(calls, 'every parallel call got its answer').toEqual([200, 200, 200, 200]);
  await expect(page.getByTestId('whoami-result')).toContainText(account.email);
  expect(new URL(second.url()).pathname).toBe('/dashboard');
  await expect(second.getByTestId('session-row-state')).toContainText('Active');
  expect(watch.renewals.filter((renewal) => renewal === 'POST 200').length, 'the page renewed by POST').toBeGreaterThanOrEqual(4);
  await expectNoSignOut(context, watch);
  await expectStillSignedIn(page, account.email);

  await expectReplayEndsTheSession(browser, baseURL!, signedIn, stolen, rotatedBy);
});

test('a dashboard whose links are all prefetched after expiry stays signed in', async ({ signedIn, browser, baseURL }) => {
  const { context, page, account } = signedIn;
  await page.goto('/dashboard');
  await appHydrated(page);

  await waitForAccessTokenExpiry(context);
  const stolen = await context.cookies();
  const watch = watchForSignOut(context);
  // Next's router prefetches a <Link> when the pointer rests on it (and when it scrolls into view);
  // with the token expired, each prefetch must neither renew nor end anything.
  const links = page.locator('main a[href^="/"], nav a[href^="/"]');
  const hrefs = [...new Set(await links.evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href')!)))];
  expect(hrefs.length).toBeGreaterThan(2);
  for (const link of await links.all()) await link.hover();
  // The same requests the router makes, for every link at once, so none is left to chance.
  const prefetches = await page.evaluate(
    (paths) =>
      Promise.all(
        paths.map(async (path) => {
          const response = await fetch(path, { headers: { RSC: '1', 'Next-Router-Prefetch': '1' }, credentials: 'same-origin' });
          return response.status;
        }),
      ),
    hrefs,
  );
  expect(prefetches.every((status) => status === 401 || status === 200)).toBe(true);
  expect((await cookieNamed(context, 'refresh_token'))?.value, 'no prefetch rotated the refresh token').toBe(
    stolen.find((cookie) => cookie.name.includes('refresh_token'))!.value,
  );

  // Then the person follows a link: one renewal, and the page opens.
  await page.getByRole('link', { name: 'Send a payment' }).click();
  await page.waitForURL((url) => url.pathname === '/payments');
  await expect(page.getByRole('heading', { level: 1, name: 'Payments' })).toBeVisible();
  const rotatedBy = Date.now();
  await expectNoSignOut(context, watch);
  await expectStillSignedIn(page, account.email);

  await expectReplayEndsTheSession(browser, baseURL!, signedIn, stolen, rotatedBy);
});

test('a speculation-rules prefetch of a protected page rotates nothing and signs nobody out', async ({
  signedIn,
  browser,
  baseURL,
}) => {
  const { context, page, account } = signedIn;
  await page.goto('/dashboard');
  await appHydrated(page);
  await waitForAccessTokenExpiry(context);
  const stolen = await context.cookies();
  const watch = watchForSignOut(context);

  // Chromium's own speculative prefetch (`Sec-Purpose: prefetch`), asked for by the page with a
  // <script type="speculationrules"> carrying the page's CSP nonce. It settles when its redirect chain
  // ends: a final answer, or a failure.
  const settled = new Promise<void>((resolve) => {
    const isPrefetch = (request: import('@playwright/test').Request) => (request.headers()['sec-purpose'] ?? '').includes('prefetch');
    context.on('requestfailed', (request) => isPrefetch(request) && resolve());
    context.on('requestfinished', async (request) => {
      const status = (await request.response())?.status() ?? 0;
      if (isPrefetch(request) && (status < 300 || status >= 400)) resolve();
    });
  });
  await page.evaluate(() => {
    const rules = document.createElement('script');
    rules.type = 'speculationrules';
    rules.nonce = document.querySelector<HTMLScriptElement>('script[nonce]')?.nonce ?? '';
    rules.textContent = JSON.stringify({ prefetch: [{ source: 'list', urls: ['/payments'] }] });
    document.head.append(rules);
  });
  await settled;
  // A prefetch is not the person asking for the page: it must not change the session (ASVS 3.5.3).
  expect
    .soft((await cookieNamed(context, 'refresh_token'))?.value, 'the prefetch rotated nothing')
    .toBe(stolen.find((cookie) => cookie.name.includes('refresh_token'))!.value);

  // Past the grace window the person opens another page: still signed in.
  await waitUntil(Date.now() + SHORT_WINDOWS.graceMs + 250);
  await page.goto('/sessions');
  const rotatedBy = Date.now();
  expect(new URL(page.url()).pathname).toBe('/sessions');
  await expectNoSignOut(context, watch);
  await expectStillSignedIn(page, account.email);

  await expectReplayEndsTheSession(browser, baseURL!, signedIn, stolen, rotatedBy);
});

test('a speculative prefetch of the renewal hop rotates nothing, so its discarded answer signs nobody out', async ({
  signedIn,
  baseURL,
}) => {
  const { context, page, account } = signedIn;
  await page.goto('/dashboard');
  await waitForAccessTokenExpiry(context);
  const watch = watchForSignOut(context);

  // A speculation-rules prefetch of a protected page follows the proxy's redirect to the renewal hop
  // with the browser's cookies and `Sec-Purpose: prefetch`; a prefetch nobody uses is thrown away,
  // Set-Cookie and all. Sent here by a client with its own cookie jar, so its answer is lost exactly so.
  const prefetcher = await playwrightRequest.newContext({ baseURL, storageState: await context.storageState() });
  try {
    await prefetcher.get('/api/auth/refresh?next=/payments', {
      maxRedirects: 0,
      headers: {
        'Sec-Purpose': 'prefetch',
        'Sec-Fetch-Site': 'same-origin',
        'Sec-Fetch-Mode': 'navigate',
        'Sec-Fetch-Dest': 'document',
        Referer: `${baseURL}/dashboard`,
      },
    });
  } finally {
    await prefetcher.dispose();
  }

  // Long after any grace window, the person opens a page: their refresh token must still be the live one.
  await waitUntil(Date.now() + SHORT_WINDOWS.graceMs + 250);
  await page.goto('/payments');
  expect(new URL(page.url()).pathname).toBe('/payments');
  await expectNoSignOut(context, watch);
  await expectStillSignedIn(page, account.email);
});

test('a navigation cut off while its renewal is in flight, then the next request, stays signed in', async ({
  signedIn,
  browser,
  baseURL,
}) => {
  const { context, page, account } = signedIn;
  await page.goto('/dashboard');
  await waitForAccessTokenExpiry(context);
  const stolen = await context.cookies();
  const watch = watchForSignOut(context);

  // The renewal hop's request reaches the server, which rotates the token, but its answer never reaches
  // the browser: the person clicks elsewhere first. The browser's request is held, its exact copy
  // (same cookies and Fetch Metadata) is sent to the server from outside the browser so the rotation
  // really happens, and the answer is thrown away; the person's next navigation then cancels the held one.
  const { held, cancelled } = await startHeldRenewalHop(page, async (request) => {
    const outside = await playwrightRequest.newContext({ baseURL });
    try {
      // The Fetch Metadata the browser sends with this same-origin navigation: an intercepted request's
      // headers do not carry them yet (the network stack adds them), and the hop rotates only with them.
      const headers = { ...(await request.allHeaders()), 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' };
      const answer = await outside.fetch(request.url(), { method: 'GET', headers, maxRedirects: 0 });
      expect(answer.status(), 'the server rotated the token for the lost answer').toBe(303);
      expect(answer.headers()['location']).not.toContain('/login');
    } finally {
      await outside.dispose();
    }
  });
  await held;
  expect(await cookieNamed(context, 'access_token'), 'the lost answer set nothing').toBeUndefined();
  expect((await cookieNamed(context, 'refresh_token'))!.value, 'the browser still holds the rotated token').toBe(
    stolen.find((cookie) => cookie.name.includes('refresh_token'))!.value,
  );

  // The next request still carries the rotated token: inside the grace window it is a sibling and gets
  // the same successor, so the browser heals instead of being taken for a thief.
  await page.goto('/sessions');
  await cancelled;
  const rotatedBy = Date.now();
  expect(new URL(page.url()).pathname).toBe('/sessions');
  await expect(page.getByRole('heading', { level: 1, name: 'Sessions' })).toBeVisible();
  await expectNoSignOut(context, watch);
  // And past the grace window the browser's token is the live successor: renewing again works.
  await waitUntil(rotatedBy + SHORT_WINDOWS.graceMs + 250);
  await expectStillSignedIn(page, account.email);

  await expectReplayEndsTheSession(browser, baseURL!, signedIn, stolen, rotatedBy);
});

test('a navigation abandoned before its renewal reaches the server, then the next request, stays signed in', async ({
  signedIn,
  browser,
  baseURL,
}) => {
  const { context, page, account } = signedIn;
  await page.goto('/dashboard');
  await waitForAccessTokenExpiry(context);
  const stolen = await context.cookies();
  const watch = watchForSignOut(context);

  // The renewal hop is held in the browser, and the person goes elsewhere before it is sent.
  const { held, cancelled } = await startHeldRenewalHop(page, async () => {});
  await held;
  // The person clicks elsewhere meanwhile: the new navigation cancels the held one.
  await page.goto('/settings/password');
  await cancelled;
  const rotatedBy = Date.now();
  expect(new URL(page.url()).pathname).toBe('/settings/password');
  await expect(page.getByRole('heading', { level: 1, name: 'Change password' })).toBeVisible();
  await expectNoSignOut(context, watch);
  await expectStillSignedIn(page, account.email);

  await expectReplayEndsTheSession(browser, baseURL!, signedIn, stolen, rotatedBy);
});

test('payments submitted from two tabs at the same moment after expiry both go through', async ({
  fundedAccount,
  signInAs,
  request,
  browser,
  baseURL,
}) => {
  const recipient = await createAccount(request, baseURL!);
  const victim = await signInAs(fundedAccount);
  const { context, page } = victim;
  const second = await context.newPage();
  await Promise.all([page.goto('/payments'), second.goto('/payments')]);
  await Promise.all([appHydrated(page), appHydrated(second)]);
  const before = await page.getByTestId('balance').textContent();
  // A payment needs a password entry within 4 s on this server (step-up). Signing in again now, after
  // the pages loaded, starts that window 2 s (one token lifetime) before the payments, however long the
  // pages took. A step-up here would move the browser to a new session and spoil the converse below.
  await signInThroughApi(context, baseURL!, fundedAccount);
  // The browser drops the access cookie when its Max-Age runs out, and the scenario starts in that state:
  // dropped here rather than waited for, so the 2 s wait cannot spend half the step-up window (more on a
  // busy machine). The server never sees the difference: the token is simply not sent.
  await context.clearCookies({ name: (await cookieNamed(context, 'access_token'))!.name });

  await waitForAccessTokenExpiry(context);
  const stolen = await context.cookies();
  const watch = watchForSignOut(context);
  // Both tabs' server actions answer `session_expired`; each tab renews (the same refresh token, at
  // once) and sends its payment again. The session was signed in over the API, so it is not bound to this
  // browser and each payment goes with the password (UNBOUND_SESSION_POLICY): typed with the payment, it
  // moves nobody to a new session.
  const outcomes = await Promise.all(
    [page, second].map((tab) => sendPayment(tab, { recipient: recipient.email, amount: '1.00', confirmWith: fundedAccount.password })),
  );
  const rotatedBy = Date.now();

  expect(outcomes).toEqual(['done', 'done']);
  expect(watch.renewals.filter((renewal) => renewal === 'POST 200').length, 'a tab renewed by POST').toBeGreaterThanOrEqual(1);
  await expectNoSignOut(context, watch);
  await page.goto('/payments');
  const after = await page.getByTestId('balance').textContent();
  expect(Number(before!.replace(/[^\d.]/g, '')) - Number(after!.replace(/[^\d.]/g, ''))).toBeCloseTo(2, 2);
  await expectStillSignedIn(page, fundedAccount.email);

  await expectReplayEndsTheSession(browser, baseURL!, victim, stolen, rotatedBy);
});

test('a sibling renewal answer that lands after a newer rotation leaves the browser signed in', async ({ signedIn, baseURL }) => {
  const { context, page, account } = signedIn;
  const navigating = await context.newPage();
  const sibling = await context.newPage();
  await Promise.all([page.goto('/dashboard'), navigating.goto('/dashboard'), sibling.goto('/dashboard')]);
  await appHydrated(page);
  await waitForAccessTokenExpiry(context);
  const watch = watchForSignOut(context);

  // Three things a browser does at once after expiry, their order on the wire made explicit:
  // 1. a tab's renewal hop leaves with refresh token T0 and is held on the way (a slow connection);
  let siblingHeld!: () => void;
  const siblingSent = new Promise<void>((resolve) => (siblingHeld = resolve));
  let forwardSibling!: () => void;
  const siblingMayGo = new Promise<void>((resolve) => (forwardSibling = resolve));
  let siblingAnswered!: () => void;
  const siblingAnswer = new Promise<void>((resolve) => (siblingAnswered = resolve));
  let deliverSibling!: () => void;
  const siblingMayLand = new Promise<void>((resolve) => (deliverSibling = resolve));
  // What the browser sent is replayed to the server exactly (cookies as they were when it left) by a
  // client with no cookie jar of its own, and its answer is handed back to the browser when the test
  // says: the network's delays, made explicit.
  const wire = await playwrightRequest.newContext({ baseURL });
  const forward = async (request: import('@playwright/test').Request, headers: Record<string, string>) =>
    wire.fetch(request.url(), { method: request.method(), headers, maxRedirects: 0 });
  await sibling.route(
    /\/api\/auth\/refresh\?/,
    async (route) => {
      const headers = await route.request().allHeaders();
      siblingHeld();
      await siblingMayGo;
      const answer = await forward(route.request(), headers);
      siblingAnswered();
      await siblingMayLand;
      await route.fulfill({ response: answer });
    },
    { times: 1 },
  );
  // 2. the page's "Check who I am" asks /api/me without a token; its 401 comes back late;
  let apiHeld!: () => void;
  const apiSent = new Promise<void>((resolve) => (apiHeld = resolve));
  let forwardApi!: () => void;
  const apiMayGo = new Promise<void>((resolve) => (forwardApi = resolve));
  await page.route(
    (url) => url.pathname === '/api/me',
    async (route) => {
      const answer = await forward(route.request(), await route.request().allHeaders());
      apiHeld();
      await apiMayGo;
      await route.fulfill({ response: answer });
    },
    { times: 1 },
  );
  void sibling.evaluate(() => location.assign('/api/auth/refresh?next=%2Fsessions'));
  await siblingSent;
  const whoAmI = page.getByRole('button', { name: 'Check who I am' }).click();
  await apiSent;
  // 3. another tab's navigation renews first: T0 -> T1, and the browser holds T1.
  const hop = navigating.waitForResponse((response) => new URL(response.url()).pathname === '/api/auth/refresh');
  void navigating.goto('/payments');
  expect((await hop).status()).toBe(303);
  // The held renewal reaches the server inside the grace window: a sibling, answered with T1.
  forwardSibling();
  await siblingAnswer;
  // The page's 401 comes back; fetchWithRefresh renews with what the browser holds now: T1 -> T2.
  const renewed = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/auth/refresh');
  forwardApi();
  await whoAmI;
  expect((await renewed).status()).toBe(200);
  await expect(page.getByTestId('whoami-result')).toContainText(account.email);
  // Only now does the sibling's answer land, carrying T1, already rotated.
  const landed = sibling.waitForURL((url) => url.pathname === '/sessions');
  deliverSibling();
  await landed;

  await expectNoSignOut(context, watch);
  // The next renewal, past the grace window, must still work. On this code it does not: the late
  // answer put T1 back in the cookie jar, T1 was rotated more than the window ago, so the renewal is
  // taken for reuse and the session is revoked.
  await expectStillSignedIn(page, account.email);
  await wire.dispose();
});
