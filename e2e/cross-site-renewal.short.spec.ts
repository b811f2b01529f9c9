/**
 * Forced sign-out through the GET renewal hop, in Chromium, against the short-lifetime server (2 s access
 * tokens, 1 s reuse grace window).
 *
 * "Another site" is a real second origin: a tiny page served from http://127.0.0.1:<port>, a
 * different site from http://localhost:<port>. So Chromium itself sets `Sec-Fetch-Site: cross-site`
 * and the Referer on the navigation, exactly as for a link on someone else's page; nothing is faked.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cookieNamed, expect, requireShortLifetimes, SHORT_WINDOWS, test, waitUntil } from './support/fixtures';

requireShortLifetimes();

let otherSite: Server;
let otherSiteUrl: string;

/** The other site: one page with a link to whatever `?to=` names. */
test.beforeAll(async () => {
  otherSite = createServer((req, res) => {
    const to = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('to') ?? '/';
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>Another site</title><a id="link" href="${to.replace(/"/g, '&quot;')}">A link to the app</a>`);
  });
  await new Promise<void>((resolve) => otherSite.listen(0, '127.0.0.1', resolve));
  otherSiteUrl = `http://127.0.0.1:${(otherSite.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  await new Promise((resolve) => otherSite.close(resolve));
});

function linkFromOtherSite(target: string) {
  return `${otherSiteUrl}/?${new URLSearchParams({ to: target })}`;
}

/** Collects Content-Security-Policy violations the page reports (Chromium logs them to the console). */
function cspViolations(page: import('@playwright/test').Page): string[] {
  const seen: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to (execute|load|apply|connect)/i.test(message.text())) seen.push(message.text());
  });
  return seen;
}

test('a person following a link from another site to a page is renewed through the same-origin renewal page', async ({
  signedIn,
  expireAccessToken,
  baseURL,
}) => {
  const { page, context } = signedIn;
  const before = (await cookieNamed(context, 'refresh'))!.value;
  await expireAccessToken(context);
  const violations = cspViolations(page);

  const hop = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/auth/refresh' && r.request().method() === 'GET');
  const renewal = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/auth/refresh' && r.request().method() === 'POST');
  await page.goto(linkFromOtherSite(`${baseURL}/payments`));
  await page.locator('#link').click();

  // The hop saw a cross-site navigation: it showed the renewal page instead of rotating…
  const hopResponse = await hop;
  expect(await hopResponse.request().headerValue('sec-fetch-site')).toBe('cross-site');
  expect(hopResponse.status()).toBe(200);
  expect(await hopResponse.headerValue('set-cookie')).toBeNull();
  // …whose own same-origin POST renewed the session and went on to the page the link named.
  const renewed = await renewal;
  expect(await renewed.request().headerValue('sec-fetch-site')).toBe('same-origin');
  expect(renewed.status()).toBe(303);
  await page.waitForURL((url) => url.pathname === '/payments');
  await expect(page.getByRole('heading', { name: 'Payments' })).toBeVisible();
  expect((await cookieNamed(context, 'refresh'))!.value).not.toBe(before);
  expect(violations).toEqual([]);
});

test('forced sign-out: a page on another site that opens the renewal hop and aborts it cannot sign the person out', async ({
  signedIn,
  expireAccessToken,
  baseURL,
}) => {
  const { page, context } = signedIn;
  const held = (await cookieNamed(context, 'refresh'))!;
  await expireAccessToken(context);

  // The attacker's navigation reaches the server, and the browser never gets the answer: the
  // response is thrown away after the server handled it, as an aborted navigation would be.
  let hop: { status: number; setsCookies: boolean } | undefined;
  await page.route(
    (url) => url.pathname === '/api/auth/refresh',
    async (route) => {
      const response = await route.fetch();
      hop = { status: response.status(), setsCookies: response.headersArray().some((h) => h.name.toLowerCase() === 'set-cookie') };
      await route.abort('aborted');
    },
  );
  await page.goto(linkFromOtherSite(`${baseURL}/api/auth/refresh?next=%2Fdashboard`));
  const handled = page.waitForEvent('requestfailed', (request) => new URL(request.url()).pathname === '/api/auth/refresh');
  await page.locator('#link').click();
  await handled;
  await page.unroute((url) => url.pathname === '/api/auth/refresh');
  // Playwright's route.fetch() may have stored that answer's cookies in the context; a browser whose
  // navigation was aborted never saw them. Put the jar back to what the browser held.
  await expireAccessToken(context);
  await context.addCookies([held]);

  // Past the grace window, the person's own next navigation renews with the token the browser holds.
  await waitUntil(Date.now() + SHORT_WINDOWS.graceMs + 500);
  await page.goto('/dashboard');
  await expect(page.getByRole('heading', { level: 1 })).toContainText(signedIn.account.email);
  expect(new URL(page.url()).pathname).toBe('/dashboard');
  expect(hop, 'the server answered the cross-site hop with its renewal page, setting nothing').toEqual({ status: 200, setsCookies: false });
});
