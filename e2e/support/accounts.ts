/**
 * The helpers specs used before e2e/support/fixtures.ts existed, kept as thin aliases while specs move
 * to the fixtures. New specs import from './support/fixtures'.
 */
import type { Page } from '@playwright/test';
import { signInThroughForm } from './fixtures';

export { cookieNamed, createAccount, DEMO_PASSWORD } from './fixtures';

export function signIn(page: Page, email: string, password: string, expectedPath = '/dashboard') {
  return signInThroughForm(page, { email, password }, expectedPath);
}
