/**
 * A payment with password step-up under the Content-Security-Policy: the server actions, the step-up prompt
 * and the silent renewal all run with no CSP violation. Runs against the short-lifetime server
 * (REAUTH_MAX_AGE_SECONDS=4), so the payment really asks for the password. Self-contained (only
 * @playwright/test), so it does not depend on the shared fixtures.
 */
import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { watchDocuments, watchViolations } from './support/csp';
import { requireShortLifetimes } from './support/fixtures';

requireShortLifetimes();

const DEMO_PASSWORD = 'correct horse battery staple';
const STEP_UP_WINDOW_MS = 4_000;

test('a payment with step-up runs under the CSP with no violation', async ({ context, page, baseURL }) => {
  const violations = await watchViolations(context, page);
  const documentsWithoutPolicy = watchDocuments(page);

  // A fresh recipient, so no other test's balances move; bob sends one cent.
  const recipient = `e2e-csp-${randomUUID()}@example.com`;
  const signup = await context.request.post('/api/auth/signup', {
    data: { email: recipient, password: `csp password ${randomUUID()}` },
    headers: { Origin: baseURL! },
  });
  expect(signup.status()).toBe(201);
  const signedInAt = Date.now();
  const login = await context.request.post('/api/auth/login', {
    data: { email: 'bob@example.com', password: DEMO_PASSWORD },
    headers: { Origin: baseURL! },
  });
  expect(login.status()).toBe(200);

  await page.goto('/payments');
  await expect(page.getByRole('heading', { name: 'Payments' })).toBeVisible();
  // The step-up window runs on the server's clock from the sign-in: wait until it has closed.
  await page.waitForFunction((deadline) => Date.now() > deadline, signedInAt + STEP_UP_WINDOW_MS + 500, {
    timeout: STEP_UP_WINDOW_MS + 5_000,
  });
  await page.getByLabel('Recipient').fill(recipient);
  await page.getByLabel('Amount').fill('0.01');
  await page.getByRole('button', { name: 'Send payment' }).click();
  const prompt = page.getByRole('region', { name: 'Confirm it is you' });
  await expect(prompt).toBeVisible();
  await prompt.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await prompt.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Sent $0.01 to ${recipient}` })).toBeVisible();

  expect(documentsWithoutPolicy, 'documents served without a nonce-based CSP').toEqual([]);
  expect(violations, 'CSP violations').toEqual([]);
});
