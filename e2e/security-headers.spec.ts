/**
 * The Content-Security-Policy and the other security headers in a real Chromium. A nonce-based CSP is only
 * worth having if the app runs under it untouched: every page, sign-in and sign-out cause no violation, while
 * markup an attacker manages to inject is refused. The payment with step-up is walked in
 * security-headers.short.spec.ts (it needs the short step-up window). Self-contained (only @playwright/test),
 * so it does not depend on the shared fixtures.
 */
import { expect, test } from '@playwright/test';
import { hydrated, watchDocuments, watchViolations } from './support/csp';

const DEMO_PASSWORD = 'correct horse battery staple';

test('the app runs under its CSP with no violation: every page, sign-in, client navigation, sign-out', async ({
  context,
  page,
}) => {
  const violations = await watchViolations(context, page);
  const documentsWithoutPolicy = watchDocuments(page);

  for (const path of ['/', '/login', '/signup']) {
    await page.goto(path);
    await hydrated(page);
  }

  await page.goto('/login');
  await page.getByLabel('Email').fill('alice@example.com');
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === '/dashboard');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('alice@example.com');
  // A client component's script ran under the policy and could call the API.
  await page.getByRole('button', { name: 'Check who I am' }).click();
  await expect(page.getByTestId('whoami-result')).toContainText('alice@example.com');

  for (const path of ['/payments', '/settings/password', '/sessions', '/activity', '/dashboard', '/']) {
    await page.goto(path);
    await hydrated(page);
  }
  // Client-side navigation: chunks loaded by Next's nonced runtime ('strict-dynamic').
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Payments' }).click();
  await expect(page.getByRole('heading', { name: 'Payments' })).toBeVisible();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();

  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((url) => url.pathname === '/login');
  await expect(page.getByText('You have signed out.')).toBeVisible();

  expect(documentsWithoutPolicy, 'documents served without a nonce-based CSP').toEqual([]);
  expect(violations, 'CSP violations').toEqual([]);
});

test('injected markup (stored or reflected XSS): its inline script, event handler and a replayed nonce are refused on every public page', async ({
  context,
  page,
}) => {
  const violations = await watchViolations(context, page);
  // Stand in for an injection bug: the server's real response, headers included, with attacker
  // markup added to the body, as a stored or reflected XSS would put it there. The third script
  // carries the nonce of an earlier response, as an attacker who saw one page would try.
  let earlierNonce = '';
  await page.route(/\/(login|signup)?$/, async (route) => {
    const response = await route.fetch();
    const nonce = /'nonce-([^']+)'/.exec(response.headers()['content-security-policy'] ?? '')?.[1] ?? '';
    const html = (await response.text()).replace(
      '</body>',
      '<script>window.__injected = "script"</script><img src="/x.png" onerror="window.__injected = \'handler\'">' +
        `<script nonce="${earlierNonce}">window.__injected = "replayed nonce"</script></body>`,
    );
    earlierNonce = nonce;
    await route.fulfill({ response, body: html });
  });
  const first = await page.request.get('/');
  earlierNonce = /'nonce-([^']+)'/.exec(first.headers()['content-security-policy'] ?? '')?.[1] ?? '';
  expect(earlierNonce, 'the page policy has a nonce').not.toBe('');
  for (const [path, control] of [
    ['/', page.getByRole('link', { name: 'See it in one click' })],
    ['/login', page.getByRole('button', { name: 'Sign in' })],
    ['/signup', page.getByRole('button', { name: 'Create account' })],
  ] as const) {
    const before = violations.length;
    await page.goto(path);
    await hydrated(page);
    await expect
      .poll(() => violations.slice(before).filter((v) => v.directive.startsWith('script-src')).length, { message: path })
      .toBeGreaterThanOrEqual(3);
    expect(await page.evaluate(() => (window as unknown as { __injected?: string }).__injected), path).toBeUndefined();
    // The app's own scripts still ran: the page works after the injection was refused.
    await expect(control, path).toBeEnabled();
  }
});

test('clickjacking and feature abuse: pages refuse framing and switch off powerful features; no HSTS on plain http', async ({
  request,
}) => {
  const response = await request.get('/login');
  expect(response.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(response.headers()['x-frame-options']).toBe('DENY');
  expect(response.headers()['permissions-policy']).toContain('camera=()');
  // Plain-http localhost must not be pinned to https.
  expect(response.headers()['strict-transport-security']).toBeUndefined();
});

test('cross-origin server action: a POST from another site to a page is refused with 403, not a 500', async ({ request }) => {
  for (const path of ['/payments', '/settings/password', '/login']) {
    const response = await request.post(path, {
      headers: { Origin: 'https://evil.example', 'Next-Action': 'a'.repeat(42), 'Content-Type': 'text/plain;charset=UTF-8' },
      data: '[]',
    });
    expect(response.status(), path).toBe(403);
  }
});
