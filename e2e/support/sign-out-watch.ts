/**
 * Helpers for proving that nobody is signed out by mistake (e2e/no-false-sign-out.short.spec.ts):
 * - waiting for the access token's real expiry, read from the browser's own cookie (the moment the
 *   browser stops sending it), instead of a guessed sleep;
 * - watching a browser context for every sign of a sign-out: a renewal refused, the sign-in page shown,
 *   the "why you were signed out" cookie set;
 * - checking afterwards, as the person would, that the session still works: the next renewal after the
 *   grace window succeeds, the dashboard opens and says the session row is Active, "Check who I am"
 *   answers, and /activity shows no reuse warning.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { REUSE_EXPLANATION, SECURITY_EVENT_LABELS } from '../../lib/audit/event-labels';
import { cookieNamed, expect, waitUntil } from './fixtures';

export { REUSE_EXPLANATION, SECURITY_EVENT_LABELS };

/**
 * Resolves just after the browser drops the access-token cookie: its Max-Age is the token's lifetime,
 * so this is the moment the next request arrives without a token and must renew. Returns that moment.
 */
export async function waitForAccessTokenExpiry(context: BrowserContext): Promise<void> {
  const access = await cookieNamed(context, 'access_token');
  if (access) {
    // `expires` is in seconds; the JWT's own `exp` is never later than the cookie's Max-Age.
    await waitUntil(access.expires * 1000 + 50);
    expect(await cookieNamed(context, 'access_token'), 'the browser dropped the expired access token').toBeUndefined();
  }
  // Without any access cookie the token has already run out; without a refresh cookie, though, the
  // browser was signed out before the scenario even began.
  expect(await cookieNamed(context, 'refresh_token'), 'still signed in when the scenario begins').toBeDefined();
}

/** Everything a context showed that would mean a sign-out, collected while a scenario runs. */
export type SignOutWatch = {
  /** Status of every response from /api/auth/refresh, in arrival order, with the method. */
  renewals: string[];
  /** Paths of every sign-in page any page of the context showed. */
  loginPages: string[];
  /** Refused renewals (anything but 200 from POST, or a redirect to /login from GET), speculative prefetches aside. */
  refusals: () => string[];
};

export function watchForSignOut(context: BrowserContext): SignOutWatch {
  const renewals: string[] = [];
  const loginPages: string[] = [];
  const refused: string[] = [];
  const watchPage = (page: Page) => {
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame() && new URL(frame.url()).pathname === '/login') loginPages.push(frame.url());
    });
  };
  context.pages().forEach(watchPage);
  context.on('page', watchPage);
  context.on('response', (response) => {
    const url = new URL(response.url());
    if (url.pathname !== '/api/auth/refresh') return;
    const method = response.request().method();
    const status = response.status();
    renewals.push(`${method} ${status}`);
    const location = response.headers()['location'] ?? '';
    // A speculative prefetch that is not renewed is sent nowhere the person sees, and its answer must
    // leave the cookies alone; the cookie checks of the scenario judge that, not its redirect.
    if ((response.request().headers()['sec-purpose'] ?? '').includes('prefetch')) return;
    if ((method === 'POST' && status !== 200 && status !== 303) || location.startsWith('/login') || location.includes('/login?')) {
      refused.push(`${method} ${status} ${location}`);
    }
  });
  return { renewals, loginPages, refusals: () => [...refused] };
}

/**
 * The person is still signed in, as they would see it: the next renewal works and the dashboard opens
 * and says the session row is Active, "Check who I am" gets an answer from
 * GET /api/me (200), and /activity lists no refresh-token reuse.
 */
export async function expectStillSignedIn(page: Page, email: string): Promise<void> {
  // First the next renewal, once the grace window is over (the short server's tokens live 2 s, its
  // window is 1 s): a browser left holding a refresh token that was already rotated, say by an answer
  // that landed after a newer one, is signed out here, not during the scenario.
  await waitForAccessTokenExpiry(page.context());
  const renewal = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/auth/refresh');
  await page.goto('/dashboard');
  expect((await renewal).headers()['location'] ?? '', 'the next renewal succeeded').not.toContain('/login');
  expect(new URL(page.url()).pathname, 'still on the signed-in page').toBe('/dashboard');
  await expect(page.getByTestId('session-row-state')).toContainText('Active');
  const me = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/me' && response.status() === 200);
  await page.getByRole('button', { name: 'Check who I am' }).click();
  await me;
  await expect(page.getByTestId('whoami-result')).toContainText(email);
  await expectNoReuseOnActivity(page);
}

export async function expectNoReuseOnActivity(page: Page): Promise<void> {
  await page.goto('/activity');
  expect(new URL(page.url()).pathname).toBe('/activity');
  await expect(page.getByRole('heading', { name: 'Activity', level: 1 })).toBeVisible();
  // The sign-in is listed, so an empty or broken page cannot pass for "no reuse".
  await expect(page.getByText(SECURITY_EVENT_LABELS.login_succeeded, { exact: true }).first()).toBeVisible();
  await expect(page.getByText(SECURITY_EVENT_LABELS.refresh_token_reuse)).toHaveCount(0);
  await expect(page.getByText(REUSE_EXPLANATION)).toHaveCount(0);
}
