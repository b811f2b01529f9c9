/**
 * The fallback tier of device-bound sessions in a real Chromium against `next start` (2 s access
 * tokens): the sign-in form binds the session to a non-extractable key the page keeps in IndexedDB,
 * and every renewal carries that key's proof. Cookies copied into another browser context (everything
 * but IndexedDB) cannot renew; a proof signed by another key ends the session and its owner is told
 * why; a replayed proof is refused; a browser whose site data was cleared is sent to sign in, clearly.
 * Expiry is produced by dropping the access cookie, as the browser does at its Max-Age.
 */
import type { Page, Request } from '@playwright/test';
import { appHydrated, expect, requireShortLifetimes, signInThroughForm, test } from './support/fixtures';
import { KEY_MISSING } from '../lib/forms/messages';
import { SIGNED_OUT_MESSAGES } from '../lib/session/signed-out-reason';
import { BINDING_PROOF_EXPLANATION } from '../lib/audit/event-labels';

requireShortLifetimes();

/** The renewals a page posts, with whether each carried a key proof and how it was answered. */
function watchRenewals(page: Page): Array<{ proof: string | undefined; status: number }> {
  const seen: Array<{ proof: string | undefined; status: number }> = [];
  page.on('response', (response) => {
    const request = response.request();
    if (new URL(request.url()).pathname === '/api/auth/refresh' && request.method() === 'POST') {
      seen.push({ proof: request.headers()['dpop'], status: response.status() });
    }
  });
  return seen;
}

test('signing in through the form binds the session; renewals carry the key proof', async ({ page, context, account, expireAccessToken }) => {
  const login = page.waitForRequest((request: Request) => new URL(request.url()).pathname === '/api/auth/login');
  await signInThroughForm(page, account);
  expect((await login).headers()['dpop'], 'the sign-in carried a proof of the new key').toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  const renewals = watchRenewals(page);

  // A navigation after expiry: the proxy's hop answers the signing renewal page, which renews and goes on.
  await expireAccessToken(context);
  await page.goto('/payments');
  await expect(page.getByRole('heading', { name: 'Payments' })).toBeVisible();
  expect(renewals.length, 'one signed renewal').toBeGreaterThan(0);
  expect(renewals.every((r) => r.proof && r.status === 200), JSON.stringify(renewals)).toBe(true);

  // The page's own renewal after a 401 from the API.
  await page.goto('/dashboard');
  await page.waitForLoadState('networkidle');
  renewals.length = 0;
  await expireAccessToken(context);
  await page.getByRole('button', { name: 'Check who I am' }).click();
  await expect(page.getByTestId('whoami-result')).toContainText(account.email);
  expect(renewals.some((r) => r.proof && r.status === 200), JSON.stringify(renewals)).toBe(true);
});

test('copied cookies in another browser context cannot renew; the key holder still does', async ({
  page,
  context,
  account,
  copySession,
  expireAccessToken,
  baseURL,
}) => {
  await signInThroughForm(page, account);
  const thief = await copySession(context);

  await expireAccessToken(thief.context);
  const refused = await thief.context.request.post('/api/auth/refresh', { headers: { Origin: baseURL! } });
  expect(refused.status(), 'the copied refresh cookie alone is refused').toBe(401);
  await thief.page.goto('/dashboard');
  await thief.page.waitForURL((url) => url.pathname === '/login');
  await expect(thief.page.getByText(KEY_MISSING)).toBeVisible();

  await expireAccessToken(context);
  await page.goto('/payments');
  await expect(page.getByRole('heading', { name: 'Payments' })).toBeVisible();
  await expect(page.getByText(`Signed in as ${account.email}`)).toBeVisible();
});

test('a proof signed by another key ends the session, and its owner is told why', async ({
  page,
  context,
  account,
  copySession,
  expireAccessToken,
}) => {
  await signInThroughForm(page, account);
  const thief = await copySession(context);
  await thief.page.goto('/login');
  // The thief's own key, made in its page, signs a well-formed proof for the renewal.
  const status = await thief.page.evaluate(async () => {
    const enc = new TextEncoder();
    const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const part = (value: unknown) => b64(enc.encode(JSON.stringify(value)));
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    const { x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
    const claims = { jti: crypto.randomUUID(), htm: 'POST', htu: `${location.origin}/api/auth/refresh`, iat: Math.floor(Date.now() / 1000) };
    const input = `${part({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty: 'EC', crv: 'P-256', x, y } })}.${part(claims)}`;
    const signature = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, enc.encode(input)));
    const response = await fetch('/api/auth/refresh', { method: 'POST', headers: { DPoP: `${input}.${b64(signature)}` } });
    return response.status;
  });
  expect(status).toBe(401);

  await expireAccessToken(context);
  await page.goto('/dashboard');
  await page.waitForURL((url) => url.pathname === '/login');
  await expect(page.getByText(SIGNED_OUT_MESSAGES.binding_proof_failed)).toBeVisible();
  // Signed in again, the owner finds the warning on /activity, saying what happened.
  await signInThroughForm(page, account);
  await page.goto('/activity');
  await expect(page.getByText(BINDING_PROOF_EXPLANATION)).toBeVisible();
});

test('a captured proof replayed with the copied cookie is refused; the owner is unaffected', async ({
  page,
  context,
  account,
  copySession,
  expireAccessToken,
  baseURL,
}) => {
  await signInThroughForm(page, account);
  const thief = await copySession(context);
  const renewals = watchRenewals(page);
  await expireAccessToken(context);
  await page.goto('/payments');
  await expect(page.getByRole('heading', { name: 'Payments' })).toBeVisible();
  const captured = renewals.find((r) => r.status === 200)?.proof;
  expect(captured, 'a proof was seen on the wire').toBeTruthy();

  const replay = await thief.context.request.post('/api/auth/refresh', { headers: { Origin: baseURL!, DPoP: captured! } });
  expect(replay.status()).toBe(401);
  expect((await replay.json()).retry, 'asked to sign again, which needs the key').toBe('use_dpop_nonce');

  await expireAccessToken(context);
  await page.goto('/dashboard');
  await expect(page.getByText(`Signed in as ${account.email}`)).toBeVisible();
});

test('a browser whose site data was cleared is sent to sign in, with a note saying why', async ({ page, context, account, expireAccessToken }) => {
  await signInThroughForm(page, account);
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const request = indexedDB.deleteDatabase('session-binding');
        request.onsuccess = () => resolve();
        request.onerror = () => reject(request.error);
      }),
  );
  await expireAccessToken(context);
  await page.goto('/payments');
  await page.waitForURL((url) => url.pathname === '/login');
  await expect(page.getByText(KEY_MISSING)).toBeVisible();
  // A clear sign-in: the form works and binds a new key.
  await signInThroughForm(page, account);
});

test('signing out deletes the key this page kept for the session', async ({ page, account }) => {
  const storedKey = () =>
    page.evaluate(
      () =>
        new Promise<boolean>((resolve, reject) => {
          const open = indexedDB.open('session-binding', 1);
          open.onupgradeneeded = () => open.result.createObjectStore('key');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const read = open.result.transaction('key', 'readonly').objectStore('key').get('current');
            read.onsuccess = () => {
              open.result.close();
              resolve(Boolean(read.result?.key));
            };
            read.onerror = () => reject(read.error);
          };
        }),
    );
  await signInThroughForm(page, account);
  expect(await storedKey(), 'the signed-in page holds its key').toBe(true);
  await appHydrated(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((url) => url.pathname === '/login');
  expect(await storedKey(), 'no key outlives its session').toBe(false);
});

test('four tabs of a bound session renewing at the same moment all stay signed in', async ({ page, context, account }) => {
  await signInThroughForm(page, account);
  const pages = [page, ...(await Promise.all([1, 2, 3].map(() => context.newPage())))];
  const paths = ['/dashboard', '/payments', '/sessions', '/activity'];
  const headings = [/Signed in as/, /^Payments$/, /^Sessions$/, /^Activity$/];
  const renewals = pages.map(watchRenewals);
  const logins: string[] = [];
  for (const tab of pages) tab.on('framenavigated', (frame) => frame === tab.mainFrame() && frame.url().includes('/login') && logins.push(frame.url()));

  // Every tab finds its access token gone at once: each goes through the signing renewal page, all on one nonce.
  await context.clearCookies({ name: /access_token$/ });
  await Promise.all(pages.map((tab, i) => tab.goto(paths[i])));
  for (const [i, tab] of pages.entries()) {
    await expect(tab.getByRole('heading', { level: 1, name: headings[i] })).toBeVisible();
    expect(new URL(tab.url()).pathname, `tab ${i + 1} is on the page it asked for`).toBe(paths[i]);
  }
  expect(logins, 'no tab saw the sign-in page').toEqual([]);
  const all = renewals.flat();
  // A tab may find the cookies another tab just renewed and need no renewal of its own; a tab that signed
  // on a nonce another used first was asked to sign again (401 use_dpop_nonce) and then renewed.
  expect(all.some((r) => r.status === 200), JSON.stringify(all.map((r) => r.status))).toBe(true);
  expect(all.every((r) => r.proof), 'every renewal was signed').toBe(true);
  // Nothing was taken for theft: no warning (reuse, or a renewal by another key) on /activity.
  await pages[0].goto('/activity');
  await expect(pages[0].getByText('Warning:')).toHaveCount(0);
});

test('a bound renewal whose answer is lost leaves the page signed in at its next renewal', async ({ page, context, account, expireAccessToken }) => {
  await signInThroughForm(page, account);
  await page.goto('/dashboard');
  await page.waitForLoadState('networkidle');
  // The server rotates (and swaps the nonce), the cookies arrive, but the page never reads the answer,
  // so its stored nonce is the old one.
  let taken = false;
  let lost = false;
  await page.route('**/api/auth/refresh', async (route) => {
    if (route.request().method() !== 'POST' || taken) return route.fallback();
    taken = true;
    await route.fetch();
    await route.abort('connectionreset');
    lost = true;
  });
  await expireAccessToken(context);
  await page.getByRole('button', { name: 'Check who I am' }).click();
  // Only once the answer's cookies are in the jar: the next expiry below must come after them.
  await expect.poll(() => lost).toBe(true);

  const renewals = watchRenewals(page);
  await expireAccessToken(context);
  await page.getByRole('button', { name: 'Check who I am' }).click();
  await expect(page.getByTestId('whoami-result')).toContainText(account.email);
  expect(renewals.map((r) => r.status), 'asked to sign again on the new nonce, then renewed').toEqual([401, 200]);
  await page.goto('/payments');
  await expect(page.getByRole('heading', { name: 'Payments' })).toBeVisible();
});

/** Answers the page's renewal POSTs with `answer` while `failing()` says so; everything else goes through. */
async function failRenewals(page: Page, failing: () => 'abort' | 503 | null) {
  await page.route(
    (url) => url.pathname === '/api/auth/refresh',
    (route) => {
      const how = route.request().method() === 'POST' ? failing() : null;
      if (how === 'abort') return route.abort('connectionreset');
      if (how === 503) return route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":"unavailable"}' });
      return route.fallback();
    },
  );
}

test('a renewal page whose signed renewal gets no answer stays and says so; Continue renews: an outage signs nobody out', async ({
  page,
  context,
  account,
  expireAccessToken,
}) => {
  await signInThroughForm(page, account);
  await expireAccessToken(context);
  const failures: Array<'abort' | 503> = ['abort', 503];
  await failRenewals(page, () => failures.shift() ?? null);

  await page.goto('/payments');
  const status = page.getByRole('status');
  const retry = 'The server could not be reached. Nothing was changed: press Continue to try again.';
  // No answer at all (a dropped connection), then a failing server: each time the page stays, with its button.
  for (let attempt = 0; attempt < 2; attempt++) {
    await expect(status).toHaveText(retry);
    await expect(page.getByRole('button', { name: 'Continue' })).toBeFocused();
    expect(new URL(page.url()).pathname).toBe('/api/auth/refresh');
    await page.getByRole('button', { name: 'Continue' }).click();
  }
  await page.waitForURL((url) => url.pathname === '/payments');
  await expect(page.getByText(`Signed in as ${account.email}`)).toBeVisible();
});

test('a payment whose renewal gets no answer says the server could not be reached, not that the session ended', async ({
  page,
  context,
  account,
  expireAccessToken,
}) => {
  await signInThroughForm(page, account);
  await page.goto('/payments');
  await appHydrated(page);
  await expireAccessToken(context);
  let failing = true;
  await failRenewals(page, () => (failing ? 503 : null));
  await page.getByLabel('Recipient').fill('alice@example.com');
  await page.getByLabel('Amount').fill('1.00');
  await page.getByRole('button', { name: 'Send payment' }).click();
  await expect(page.getByText('The server could not be reached to renew your sign-in. Nothing was changed. Try again in a moment.')).toBeVisible();
  await expect(page.getByText('Your session has ended')).toHaveCount(0);
  // The server is back: the same form, sent again, is answered on its merits (this account has no money).
  failing = false;
  await page.getByRole('button', { name: 'Send payment' }).click();
  await expect(page.getByText('Your balance is too low for this payment.').first()).toBeVisible();
});
