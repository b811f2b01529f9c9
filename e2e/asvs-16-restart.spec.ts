/**
 * Faults that need a real server process (ASVS 16.5, 7.1, 9.1.1): a `next start` of this checkout's
 * build, started and killed by the test itself on its own database file.
 *
 * - Killing the server (SIGKILL: no graceful shutdown) and starting it again loses no session and no
 *   payment: sessions live in the signed token and in SQLite rows, payments commit before the answer.
 * - Removing a signing key from ACCESS_TOKEN_KEYS invalidates every token it signed on the first request
 *   after the restart; the session itself (its row and refresh token) is not lost, so renewal issues
 *   a token under the remaining key.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { freePort, waitUntilServing } from '../scripts/lib/local-server';
import { forgeAccessToken } from '../tests/helpers/forge-token';
import { DEMO_PASSWORD, sendPayment } from './support/fixtures';
import { OWN_SERVERS } from './support/servers';

test.skip(!OWN_SERVERS, "restarts this checkout's own build; not run against E2E_BASE_URL");

const DATABASE_URL = 'file:./e2e/.tmp/restart.db';
const OLD_KEY = { kid: 'restart-old', secret: randomBytes(32) };
const NEW_KEY = { kid: 'restart-new', secret: randomBytes(32) };
const keys = (...list: Array<typeof OLD_KEY>) => list.map((k) => `${k.kid}:${k.secret.toString('base64url')}`).join(',');

/** Starts `next start` and resolves once it serves /login. */
async function startServer(port: number, accessTokenKeys: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['node_modules/next/dist/bin/next', 'start', '--port', String(port)], {
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', DATABASE_URL, ACCESS_TOKEN_KEYS: accessTokenKeys },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  try {
    await waitUntilServing(`http://localhost:${port}`, child, () => stderr);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return child;
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

test.describe.configure({ mode: 'serial', timeout: 180_000 });

test('a killed and restarted server loses no session and no payment; a removed signing key invalidates its tokens at once', async ({ browser }) => {
  const reset = spawnSync(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'e2e/support/reset-database.ts'], {
    env: { ...process.env, DATABASE_URL, ACCESS_TOKEN_KEYS: keys(OLD_KEY) },
    encoding: 'utf8',
  });
  expect(reset.status, reset.stderr).toBe(0);
  const port = await freePort();
  const baseURL = `http://localhost:${port}`;
  let server = await startServer(port, keys(OLD_KEY));
  const context = await browser.newContext({ baseURL });
  try {
    // Signed in, one payment made, with tokens under the old key.
    const login = await context.request.post('/api/auth/login', {
      data: { email: 'alice@example.com', password: DEMO_PASSWORD },
      headers: { Origin: baseURL },
    });
    expect(login.status()).toBe(200);
    const page = await context.newPage();
    await page.goto('/payments');
    await expect(page.getByTestId('balance')).toHaveText('$1,000.00');
    // Signed in over the API, so the session is not bound: the payment is sent with the password typed along.
    expect(await sendPayment(page, { recipient: 'bob@example.com', amount: '12.34', confirmWith: DEMO_PASSWORD })).toBe('done');
    const before = await (await context.request.get('/api/me')).json();

    // 1. Kill -9 and start again with the same configuration.
    await kill(server);
    expect((await fetch(`${baseURL}/login`).catch(() => null))?.ok ?? false, 'the server is really down').toBe(false);
    server = await startServer(port, keys(OLD_KEY));
    const me = await context.request.get('/api/me');
    expect(me.status(), 'the same access token still reads').toBe(200);
    expect((await me.json()).session.id).toBe(before.session.id);
    await page.goto('/payments');
    await expect(page.getByTestId('balance'), 'the payment survived').toHaveText('$987.66');
    await expect(page.getByRole('row').filter({ hasText: 'bob@example.com' })).toContainText('12.34');
    const renewed = await context.request.post('/api/auth/refresh', { headers: { Origin: baseURL } });
    expect(renewed.status(), 'the session row and its refresh token survived').toBe(200);
    const oldKeyToken = (await context.cookies()).find((c) => c.name === '__Host-access_token')!.value;
    const forgedWithOldKey = await forgeAccessToken(OLD_KEY.secret, {
      kid: OLD_KEY.kid,
      claims: { sub: before.user.id, sid: before.session.id, email: before.user.email },
    });

    // 2. Rotate keys: the new one signs, the old one is removed outright (no overlap period).
    await kill(server);
    server = await startServer(port, keys(NEW_KEY));
    for (const token of [oldKeyToken, forgedWithOldKey]) {
      const stale = await browser.newContext({ baseURL });
      const refused = await stale.request.get('/api/me', { headers: { Cookie: `__Host-access_token=${token}` } });
      expect(refused.status(), 'a token of the removed key is refused on the first request').toBe(401);
      await stale.close();
    }
    // The session is not lost with the key: renewal issues a token under the new key, and it reads.
    const afterRotation = await context.request.post('/api/auth/refresh', { headers: { Origin: baseURL } });
    expect(afterRotation.status()).toBe(200);
    const newToken = (await context.cookies()).find((c) => c.name === '__Host-access_token')!.value;
    expect(JSON.parse(Buffer.from(newToken.split('.')[0], 'base64url').toString()).kid).toBe(NEW_KEY.kid);
    const meAgain = await context.request.get('/api/me');
    expect(meAgain.status()).toBe(200);
    expect((await meAgain.json()).session.id).toBe(before.session.id);
  } finally {
    await context.close();
    await kill(server);
  }
});
