import { randomUUID } from 'node:crypto';
import { expect, type APIRequestContext, type BrowserContext, type Page } from '@playwright/test';

export const DEMO_PASSWORD = 'correct horse battery staple';

/** A fresh account per test, so tests that change passwords or balances never meet. */
export async function createAccount(request: APIRequestContext, baseURL: string) {
  const email = `user-${randomUUID().slice(0, 8)}@example.com`;
  const password = `test password ${randomUUID()}`;
  const response = await request.post('/api/auth/signup', {
    data: { email, password },
    headers: { Origin: baseURL },
  });
  expect(response.status()).toBe(201);
  return { email, password };
}

/** Signs in through the real form, as a person would, and waits for the page it leads to. */
export async function signIn(page: Page, email: string, password: string, expectedPath = '/dashboard') {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === expectedPath);
}

export async function cookieNamed(context: BrowserContext, fragment: string) {
  return (await context.cookies()).find((cookie) => cookie.name.includes(fragment));
}
