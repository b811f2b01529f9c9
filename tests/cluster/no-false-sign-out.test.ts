/**
 * Nobody is signed out by mistake across instances: four tabs of one Chromium renew at the same moment
 * through nginx, which spreads their renewal hops over three `next start` instances on one PostgreSQL.
 * Which instance wins the rotation, and which are siblings inside the grace window, is decided by the
 * database alone (one conditional UPDATE; successors derived from the shared key), so every tab stays
 * signed in. The converse: the refresh token the browser held before, replayed from another browser
 * after the grace window, still ends the session on every instance (RFC 9700 4.14.2, ASVS 7.2.4).
 *
 * Real parts only: Chromium (Playwright), nginx, three instances of the build, a throwaway PostgreSQL.
 * 2-second access tokens and a 1-second grace window, as the short e2e server, so expiry and the window
 * pass in seconds; the waits name the deadline they wait for (the access cookie's own expiry, the
 * window's end), nothing else sleeps.
 *
 *   npm run test:cluster -- tests/cluster/no-false-sign-out.test.ts
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, BrowserContext, Cookie, Page } from '@playwright/test';

import type { Cluster } from '../../scripts/lib/cluster';
import { launchChromium } from '../../scripts/lib/chromium';
import { DEMO_PASSWORD } from '../../scripts/lib/seed';
import { REUSE_EXPLANATION } from '../../lib/audit/event-labels';
import { SIGNED_OUT_MESSAGES } from '../../lib/session/signed-out-reason';
import { startTestCluster } from './fixture';

const GRACE_MS = 1_000;

let cluster: Cluster;
let browser: Browser;

before(async () => {
  cluster = await startTestCluster({ ACCESS_TOKEN_TTL_SECONDS: '2', REFRESH_REUSE_GRACE_SECONDS: String(GRACE_MS / 1000) });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await cluster?.stop();
});

async function waitUntil(deadline: number): Promise<void> {
  const remaining = deadline - Date.now();
  if (remaining > 0) await sleep(remaining);
}

const cookie = async (context: BrowserContext, fragment: string) => (await context.cookies()).find((c) => c.name.includes(fragment));

async function signedInBrowser(email: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: cluster.url });
  const login = await context.request.post('/api/auth/login', { data: { email, password: DEMO_PASSWORD }, headers: { Origin: cluster.url } });
  assert.equal(login.status(), 200, await login.text());
  return { context, page: await context.newPage() };
}

/** Resolves just after the browser drops the access cookie (its Max-Age is the token's lifetime). */
async function waitForAccessTokenExpiry(context: BrowserContext): Promise<void> {
  const access = await cookie(context, 'access_token');
  if (access) await waitUntil(access.expires * 1000 + 50);
  assert.equal(await cookie(context, 'access_token'), undefined, 'the access token has expired');
  assert.ok(await cookie(context, 'refresh_token'), 'still signed in when the tabs renew');
}

const PATHS = ['/dashboard', '/payments', '/sessions', '/activity'];

/**
 * Four tabs open four protected pages at the same moment, just after the access token ran out: each
 * goes through the renewal hop with the same refresh token. Returns what they showed, the renewals'
 * answers, the cookies held before (for the converse), and when the renewals had all landed.
 */
async function fourTabsRenewAtOnce(context: BrowserContext, first: Page) {
  const tabs = [first, ...(await Promise.all([1, 2, 3].map(() => context.newPage())))];
  await Promise.all(tabs.map((tab, i) => tab.goto(PATHS[i]!)));
  await waitForAccessTokenExpiry(context);
  const before = await context.cookies();
  const renewals: string[] = [];
  context.on('response', (response) => {
    if (new URL(response.url()).pathname === '/api/auth/refresh') renewals.push(`${response.status()} ${response.headers()['location'] ?? ''}`);
  });
  const logStart = readFileSync(cluster.accessLog, 'utf8').length;
  await Promise.all(tabs.map((tab, i) => tab.goto(PATHS[i]!)));
  const renewedBy = Date.now();
  const landed = tabs.map((tab) => new URL(tab.url()).pathname);
  // Which instance answered each renewal hop (nginx's log: `<upstream> <status> "<request>"`).
  const hops = readFileSync(cluster.accessLog, 'utf8')
    .slice(logStart)
    .split('\n')
    .filter((line) => line.includes('/api/auth/refresh?next='))
    .map((line) => line.split(' ')[0]);
  return { tabs, landed, renewals, before, renewedBy, instances: new Set(hops) };
}

/** The person sees they are signed in: the session row is Active, the API answers, no reuse is listed. */
async function assertStillSignedIn(page: Page, email: string): Promise<void> {
  await page.goto('/dashboard');
  assert.equal(new URL(page.url()).pathname, '/dashboard');
  assert.match(await page.getByTestId('session-row-state').innerText(), /Active/);
  const me = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/me');
  await page.getByRole('button', { name: 'Check who I am' }).click();
  assert.equal((await me).status(), 200);
  await page.getByTestId('whoami-result').getByText(email).waitFor();
  await page.goto('/activity');
  assert.equal(new URL(page.url()).pathname, '/activity');
  await page.getByText('Signed in', { exact: true }).first().waitFor();
  assert.equal(await page.getByText(REUSE_EXPLANATION).count(), 0, 'no refresh-token reuse on /activity');
}

describe('no false sign-out across three instances', () => {
  test('four tabs renewing at the same moment through nginx all stay signed in', async (t) => {
    const { context, page } = await signedInBrowser('alice@example.com');
    try {
      const run = await fourTabsRenewAtOnce(context, page);
      t.diagnostic(`renewal hops answered by ${[...run.instances].join(', ')}`);
      assert.deepEqual(run.landed, PATHS, 'every tab is on the page it asked for');
      assert.ok(run.renewals.length >= 4, `four renewals: ${run.renewals.join(' | ')}`);
      for (const renewal of run.renewals) assert.doesNotMatch(renewal, /login|^4/, 'no renewal was refused');
      assert.equal(await cookie(context, 'signed_out'), undefined);
      await assertStillSignedIn(page, 'alice@example.com');
    } finally {
      await context.close();
    }
  });

  test('after four tabs renewed, a replay of the old refresh token from another browser still ends the session', async () => {
    const { context, page } = await signedInBrowser('bob@example.com');
    const thief = await browser.newContext({ baseURL: cluster.url });
    try {
      const run = await fourTabsRenewAtOnce(context, page);
      assert.deepEqual(run.landed, PATHS);
      const stolen: Cookie[] = run.before;
      const stolenRefresh = stolen.find((c) => c.name.includes('refresh_token'))!.value;
      assert.notEqual((await cookie(context, 'refresh_token'))!.value, stolenRefresh, 'the renewals rotated the stolen token');

      await thief.addCookies(stolen);
      await waitUntil(run.renewedBy + GRACE_MS + 250);
      const replay = await thief.request.post('/api/auth/refresh', { headers: { Origin: cluster.url } });
      assert.equal(replay.status(), 401, 'the replay is refused');

      // The person's next renewal, on whichever instance nginx picks, is refused with the reason.
      await waitForAccessTokenExpiry(context);
      await page.goto('/dashboard');
      assert.equal(new URL(page.url()).pathname, '/login');
      await page.getByText(SIGNED_OUT_MESSAGES.refresh_token_reuse).waitFor();

      const again = await context.request.post('/api/auth/login', {
        data: { email: 'bob@example.com', password: DEMO_PASSWORD },
        headers: { Origin: cluster.url },
      });
      assert.equal(again.status(), 200);
      await page.goto('/activity');
      await page.getByText(REUSE_EXPLANATION).first().waitFor();
    } finally {
      await thief.close();
      await context.close();
    }
  });
});
