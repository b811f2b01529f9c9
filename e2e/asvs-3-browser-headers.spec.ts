/**
 * ASVS v5 3.4.4 and 3.4.5 (browser security headers on every response, API included) and 6.2.6 / 6.2.7
 * (password fields masked, and open to password managers), against a real `next start` in Chromium.
 * The CSP, framing and HSTS are proven in e2e/security-headers.spec.ts and tests/unit/proxy.test.ts.
 */
import { expect, test } from './support/fixtures';

test('content sniffing and referrer leaks: every page and API answer carries nosniff and Referrer-Policy: same-origin', async ({ request }) => {
  for (const path of ['/', '/login', '/signup', '/dashboard', '/payments', '/settings/password', '/sessions', '/activity', '/lab', '/api/me', '/no-such-page']) {
    const response = await request.get(path, { maxRedirects: 0 });
    expect(response.headers()['x-content-type-options'], path).toBe('nosniff');
    expect(response.headers()['referrer-policy'], path).toBe('same-origin');
  }
});

test('every password field is masked and tells password managers what it holds', async ({ page, signedIn }) => {
  const expected: Record<string, Array<[string, string]>> = {
    '/login': [['password', 'current-password']],
    '/signup': [['password', 'new-password']],
    '/settings/password': [
      ['currentPassword', 'current-password'],
      ['newPassword', 'new-password'],
      ['confirmPassword', 'new-password'],
    ],
  };
  expect(signedIn.account.email).toContain('@');
  for (const [path, fields] of Object.entries(expected)) {
    await page.goto(path);
    for (const [name, autocomplete] of fields) {
      const input = page.locator(`input[name="${name}"]`);
      await expect(input, `${path} ${name}`).toHaveAttribute('type', 'password');
      await expect(input, `${path} ${name}`).toHaveAttribute('autocomplete', autocomplete);
    }
    // No field that looks like a password is left as plain text.
    const names = await page.locator('input:not([type="password"])').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).name));
    expect(names.filter((n) => /password/i.test(n)), path).toEqual([]);
  }
});
