/**
 * Device Bound Session Credentials in a real Chromium: the `dbsc` server (DEVICE_BOUND_SESSIONS=on,
 * 6-second access tokens) behind the https front of e2e/support/tls-front.ts, and a Chromium with DBSC
 * and software keys on (scripts/lib/chromium.ts, the `dbsc-https` project). Signing in makes the browser
 * register a key of its own; the access cookie becomes the bound cookie, which only the browser's key
 * can renew, and a copy of the cookies cannot. Expiry is real here (the browser's own refresh is what
 * is tested), so each wait ends at the bound cookie's Max-Age. Which Chromium builds do this, and how
 * it was checked: docs/TESTING.md. The lab's refresh-cookie experiment runs in such a session too.
 */
import { execFileSync } from 'node:child_process';
import type { BrowserContext, Page } from '@playwright/test';
import { appHydrated, createAccount, expect, signInThroughForm, test as base, waitUntil, type Account } from './support/fixtures';
import { DBSC_MISSING, E2E_SERVERS, OWN_SERVERS } from './support/servers';

const RENEWAL = '/api/auth/refresh';

/**
 * `account`: made through the signup API by Playwright's own client, which is told to accept the
 * throwaway certificate. Never the browser context: with certificate errors ignored there, Chromium
 * ignores the DBSC registration header (docs/decisions/0101-dbsc-in-chromium.md).
 */
const test = base.extend<{ account: Account }>({
  account: async ({ playwright, baseURL }, use) => {
    const api = await playwright.request.newContext({ baseURL, ignoreHTTPSErrors: true });
    await use(await createAccount(api, baseURL!));
    await api.dispose();
  },
});

// Without openssl (or against a deployment) the tests skip with the reason; a missing openssl fails
// them under CI=true instead, as a missing nginx fails the cluster test, so CI cannot pass without them.
const ci = process.env.CI === 'true' || process.env.CI === '1';
if (DBSC_MISSING !== null && ci && OWN_SERVERS) {
  test.beforeEach(() => {
    throw new Error(`${DBSC_MISSING}. CI=true: failing, the DBSC browser test must run in CI.`);
  });
} else {
  test.skip(DBSC_MISSING !== null, DBSC_MISSING ?? undefined);
}

/** The requests the page's context sends (the browser's own DBSC requests are not among them). */
function watchRequests(context: BrowserContext): string[] {
  const paths: string[] = [];
  context.on('request', (request) => paths.push(new URL(request.url()).pathname));
  return paths;
}

type DbscEvent = { kind: 'creation' | 'refresh' | 'challenge' | 'termination'; succeeded: boolean; result: string };

/**
 * Chromium's own account of its DBSC requests, through the DevTools protocol: Playwright's request
 * events do not show them, since the browser, not the page, sends them.
 */
async function watchDbsc(context: BrowserContext, page: Page): Promise<DbscEvent[]> {
  const events: DbscEvent[] = [];
  const cdp = await context.newCDPSession(page);
  cdp.on('Network.deviceBoundSessionEventOccurred', (event) => {
    const { creationEventDetails: creation, refreshEventDetails: refresh, challengeEventDetails: challenge, terminationEventDetails: termination } = event;
    if (creation) events.push({ kind: 'creation', succeeded: event.succeeded, result: creation.fetchResult });
    if (refresh) events.push({ kind: 'refresh', succeeded: event.succeeded, result: refresh.refreshResult });
    if (challenge) events.push({ kind: 'challenge', succeeded: event.succeeded, result: challenge.challengeResult });
    if (termination) events.push({ kind: 'termination', succeeded: event.succeeded, result: termination.deletionReason });
  });
  await cdp.send('Network.enable');
  await cdp.send('Network.enableDeviceBoundSessions', { enable: true });
  return events;
}

/**
 * Signs in through the form (its `fetch` gets the registration header in its answer) and waits until
 * Chromium reports its registration done (it runs beside the page, not in it).
 */
async function signInAndRegister(page: Page, account: Account, events: DbscEvent[]): Promise<void> {
  await signInThroughForm(page, account);
  await expect
    .poll(() => events.find((e) => e.kind === 'creation'), { message: `the browser registered: ${JSON.stringify(events)}`, timeout: 10_000 })
    .toEqual({ kind: 'creation', succeeded: true, result: 'Success' });
}

async function cookie(context: BrowserContext, fragment: string) {
  return (await context.cookies()).find((c) => c.name.includes(fragment));
}

/**
 * Waits until the browser no longer holds the bound cookie: until its Max-Age has run out, and again if
 * the page's own requests had it refreshed meanwhile (every in-scope request does, this close to expiry).
 */
async function boundCookieExpired(context: BrowserContext): Promise<void> {
  expect(await cookie(context, 'access_token'), 'the bound cookie is held').toBeDefined();
  for (let access = await cookie(context, 'access_token'); access; access = await cookie(context, 'access_token')) {
    await waitUntil(access.expires * 1000 + 250);
  }
}

type SessionRow = { bindingKind: string; dbscBound: boolean; revokedAt: string | null; usableRefreshTokens: number };

/** The account's session rows, read from the `dbsc` server's database (e2e/support/session-rows.ts). */
function sessionRows(account: Account): SessionRow[] {
  const output = execFileSync(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'e2e/support/session-rows.ts', account.email], {
    env: { ...process.env, ...E2E_SERVERS.dbsc!.start!.env },
    encoding: 'utf8',
  });
  return JSON.parse(output) as SessionRow[];
}

test('signing in makes the browser register its key: the session is DBSC-bound, its refresh cookie gone', async ({ page, context, account }) => {
  const events = await watchDbsc(context, page);
  const requests = watchRequests(context);
  await signInAndRegister(page, account, events);

  await expect.poll(() => cookie(context, 'refresh_token'), { message: 'the refresh cookie is cleared at registration' }).toBeUndefined();
  expect(await cookie(context, 'access_token'), 'the bound cookie is set').toBeDefined();
  expect(requests.filter((path) => path === RENEWAL), 'no renewal through a refresh token').toEqual([]);
  expect(sessionRows(account).map(({ bindingKind, dbscBound, revokedAt, usableRefreshTokens }) => ({ bindingKind, dbscBound, revokedAt, usableRefreshTokens }))).toEqual([
    { bindingKind: 'dbsc', dbscBound: true, revokedAt: null, usableRefreshTokens: 0 },
  ]);

  // What the person sees: /sessions names the tier of this device's session.
  await page.goto('/sessions');
  const thisDevice = page.getByRole('region', { name: /active session/ }).getByRole('listitem').filter({ hasText: 'This device' });
  await expect(thisDevice.getByTestId('session-tier')).toContainText('Bound to this browser by the browser itself (Device Bound Session Credentials)');
});

test('after the bound cookie runs out, a navigation waits for the browser’s DBSC refresh and loads', async ({ page, context, account }) => {
  const events = await watchDbsc(context, page);
  await signInAndRegister(page, account, events);
  await boundCookieExpired(context);

  events.length = 0;
  const requests = watchRequests(context);
  const landed = await page.goto('/payments');
  await expect(page.getByRole('heading', { name: 'Payments' })).toBeVisible();
  await expect(page.getByText(`Signed in as ${account.email}`)).toBeVisible();

  expect(events.filter((e) => e.kind === 'refresh')[0], `the browser refreshed first: ${JSON.stringify(events)}`).toEqual({ kind: 'refresh', succeeded: true, result: 'Refreshed' });
  expect(landed?.request().redirectedFrom(), 'no renewal hop').toBeNull();
  expect((await landed!.request().allHeaders())['cookie'], 'the navigation carried a new bound cookie').toContain('__Host-access_token=');
  expect(requests.filter((path) => path === RENEWAL), 'no call to /api/auth/refresh').toEqual([]);
});

test('cookies copied into another browser context cannot renew; the owner keeps the session', async ({ browser, page, context, account, baseURL }) => {
  const events = await watchDbsc(context, page);
  await signInAndRegister(page, account, events);
  await expect.poll(() => cookie(context, 'refresh_token'), { message: 'the refresh cookie is cleared' }).toBeUndefined();

  // The thief: every cookie of the owner's context in a context of its own, without the browser's key.
  const thief = await browser.newContext({ baseURL });
  await thief.addCookies(await context.cookies());
  const thiefPage = await thief.newPage();
  const thiefEvents = await watchDbsc(thief, thiefPage);
  await thiefPage.goto('/payments');
  await expect(thiefPage.getByRole('heading', { name: 'Payments' }), 'the copied access token reads until it expires').toBeVisible();

  await boundCookieExpired(context);
  expect(await cookie(thief, 'access_token'), 'the copy ran out too').toBeUndefined();
  await thiefPage.goto('/payments');
  await thiefPage.waitForURL((url) => url.pathname === '/login');
  expect(await cookie(thief, 'access_token'), 'the copy got no new access token').toBeUndefined();
  expect(thiefEvents, 'the copy holds no DBSC session to refresh').toEqual([]);
  await thief.close();

  // The owner's browser renews with its key, and the session is still its own.
  await page.goto('/payments');
  await expect(page.getByRole('heading', { name: 'Payments' })).toBeVisible();
  await expect(page.getByText(`Signed in as ${account.email}`)).toBeVisible();
  expect(sessionRows(account).map((row) => [row.bindingKind, row.revokedAt]), 'the session is live and still bound').toEqual([['dbsc', null]]);
});

test('a link from another site after the bound cookie ran out lands on the page, renewed by the browser', async ({ page, context, account, baseURL }) => {
  const events = await watchDbsc(context, page);
  await signInAndRegister(page, account, events);

  // Another site (127.0.0.1 is not the same site as localhost) links to the app.
  const elsewhere = `${baseURL!.replace('//localhost:', '//127.0.0.1:')}/elsewhere`;
  await page.route(elsewhere, (route) => route.fulfill({ contentType: 'text/html', body: `<a href="${baseURL}/payments">Payments</a>` }));
  await page.goto(elsewhere);
  await boundCookieExpired(context);

  // A cross-site navigation is not held back for a refresh (decision 0101): it arrives without the
  // bound cookie and gets the renewal page, whose same-origin POST is held back until the browser
  // has refreshed, and goes on to the page.
  events.length = 0;
  const renewals: number[] = [];
  context.on('response', (response) => {
    if (new URL(response.url()).pathname === RENEWAL && response.request().method() === 'POST') renewals.push(response.status());
  });
  await page.getByRole('link', { name: 'Payments' }).click();
  await page.waitForURL((url) => url.pathname === '/payments');
  await expect(page.getByRole('heading', { name: 'Payments' })).toBeVisible();
  await expect(page.getByText(`Signed in as ${account.email}`)).toBeVisible();
  expect(events.some((e) => e.kind === 'refresh' && e.succeeded), `the browser refreshed: ${JSON.stringify(events)}`).toBe(true);
  expect(renewals, 'the renewal page’s POST arrived with the refreshed cookie').toEqual([200]);
});

test('the lab’s refresh-cookie experiment runs in a DBSC-bound session, with the key the page was bound to at sign-in', async ({ page, context, account }) => {
  const events = await watchDbsc(context, page);
  await signInAndRegister(page, account, events);
  expect(sessionRows(account).map((row) => row.bindingKind)).toEqual(['dbsc']);

  // The row now names the browser's DBSC key; the page proves the key it kept from sign-in, which the
  // session remembers apart, and the experiment runs as in the fallback tier.
  await page.goto('/lab');
  await appHydrated(page);
  const section = page.getByRole('region', { name: 'Copy the refresh cookie to another device' });
  await section.getByRole('button', { name: 'Copy the refresh cookie and try it' }).click();
  const results = section.getByRole('region', { name: 'What the copied refresh cookie could do' });
  await expect(results.getByRole('status')).toHaveText(
    'On another device, without the key, the copied refresh cookie could not renew. This browser, which holds the key, renewed it. A proof from another key ended the session.',
  );
  expect(sessionRows(account).filter((row) => row.revokedAt === null).map((row) => row.bindingKind), 'the person’s own session goes on').toEqual(['dbsc']);
});
