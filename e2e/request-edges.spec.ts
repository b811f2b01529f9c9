/**
 * Requests at the edges of what the app serves, sent to a `next start` of this checkout's build that
 * the test starts itself, so that its log can be read: every answer is asserted with its status and
 * headers, and the server must log no error and no stack trace for any of them.
 *
 * - Methods a path does not serve (RFC 9110 15.5.6): `TRACE` used to get a 500 without security
 *   headers and a stack trace in the log per request (Next.js cannot build a `Request` for it);
 *   `PUT /dashboard` rendered the page. Now: 405 with `Allow` (lib/request/request-edge.ts).
 * - Malformed server-action bodies used to get a 500 and a logged error; one page's action id posted
 *   to another page ran there. Now: 400 / 404 from the proxy before Next.js parses anything
 *   (lib/request/server-actions.ts).
 * - Security headers, a Content-Security-Policy included, on every answer (ASVS 3.4.3): the 404 of an
 *   unknown /api path used to be HTML without one.
 * - A held-back body (lib/request/request-context-hook.ts): a post whose headers arrive while the access token
 *   is valid and whose body arrives after it expired used to render the signed-in page, judged as of
 *   the headers' arrival.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { expect, test } from '@playwright/test';
import { freePort, waitUntilServing } from '../scripts/lib/local-server';
import { DEMO_PASSWORD } from './support/fixtures';
import { OWN_SERVERS } from './support/servers';

test.skip(!OWN_SERVERS, "starts this checkout's own build to read its log; not run against E2E_BASE_URL");
test.describe.configure({ mode: 'serial', timeout: 60_000 });

const DATABASE_URL = 'file:./e2e/.tmp/request-edges.db';
const ACCESS_TOKEN_KEYS = `edges:${randomBytes(32).toString('base64url')}`;
/** Short-lived access tokens, so the held-back body can outlast one. */
const ACCESS_TOKEN_TTL_SECONDS = 2;

let server: ChildProcess;
let log = '';
let base = '';

test.beforeAll(async () => {
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', DATABASE_URL, ACCESS_TOKEN_KEYS, ACCESS_TOKEN_TTL_SECONDS: String(ACCESS_TOKEN_TTL_SECONDS) };
  const reset = spawnSync(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'e2e/support/reset-database.ts'], { env, encoding: 'utf8' });
  expect(reset.status, reset.stderr).toBe(0);
  const port = await freePort();
  base = `http://localhost:${port}`;
  server = spawn(process.execPath, ['node_modules/next/dist/bin/next', 'start', '--port', String(port)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout!.on('data', (chunk) => (log += chunk));
  server.stderr!.on('data', (chunk) => (log += chunk));
  await waitUntilServing(base, server, () => log);
});

test.afterAll(async () => {
  if (!server || server.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    server.once('exit', () => resolve());
    server.kill('SIGKILL');
  });
});

type Answer = { status: number; headers: http.IncomingHttpHeaders; body: string };

/**
 * One request over node:http (fetch cannot send TRACE, and always adds `Sec-Fetch-Mode: cors`). The
 * body is sent in two pieces, `holdMs` apart: a client holding part of it back.
 */
function send(method: string, path: string, options: { headers?: Record<string, string>; body?: string; holdMs?: number } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = options.body ?? '';
    const headers = { ...options.headers, ...(options.body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) };
    const req = http.request(`${base}${path}`, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    if (!options.holdMs) return req.end(body);
    req.write(body.slice(0, 10));
    setTimeout(() => req.end(body.slice(10)), options.holdMs);
  });
}

/** Every header Next.js or the proxy sends on the app's answers; none may be missing from any answer. */
function expectSecurityHeaders(answer: Answer, what: string) {
  expect(answer.headers['x-content-type-options'], what).toBe('nosniff');
  expect(answer.headers['x-frame-options'], what).toBe('DENY');
  expect(answer.headers['referrer-policy'], what).toBe('same-origin');
  expect(answer.headers['permissions-policy'], what).toContain('camera=()');
  expect(answer.headers['content-security-policy'], what).toMatch(/frame-ancestors 'none'/);
}

/** What the log must never show: an error, an uncaught exception, a stack frame. */
function expectQuietLog(since: number) {
  const written = log.slice(since);
  expect(written, 'the server logged an error or a stack trace').not.toMatch(/Error|⨯|\n\s+at |digest/);
}

async function signedInCookies(): Promise<string> {
  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { origin: base, 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'alice@example.com', password: DEMO_PASSWORD }),
  });
  expect(login.status).toBe(200);
  return login.headers.getSetCookie().map((cookie) => cookie.split(';')[0]).join('; ');
}

/** The build's id of an action (they change with every build), and the page it belongs to. */
function actionId(exportedName: string): string {
  const manifest = JSON.parse(readFileSync('.next/server/server-reference-manifest.json', 'utf8')) as {
    node: Record<string, { exportedName: string }>;
  };
  return Object.entries(manifest.node).find(([, entry]) => entry.exportedName === exportedName)![0];
}

test('robustness: TRACE and every other method a path does not serve answers 405 with Allow and the security headers, and logs nothing', async () => {
  const since = log.length;
  const cases: Array<[string, string, string]> = [
    ['TRACE', '/', 'GET, HEAD, POST'],
    ['TRACE', '/dashboard', 'GET, HEAD, POST'],
    ['TRACE', '/api/me', 'GET, HEAD, OPTIONS'],
    ['TRACE', '/api/auth/login', 'OPTIONS, POST'],
    ['TRACE', '/api/no-such-route', 'DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT'],
    ['PUT', '/dashboard', 'GET, HEAD, POST'],
    ['DELETE', '/login', 'GET, HEAD, POST'],
    ['PATCH', '/payments', 'GET, HEAD, POST'],
    ['OPTIONS', '/', 'GET, HEAD, POST'],
    ['PUT', '/api/me', 'GET, HEAD, OPTIONS'],
    ['DELETE', '/api/auth/refresh', 'GET, OPTIONS, POST'],
    ['GET', '/api/auth/logout', 'OPTIONS, POST'],
  ];
  for (const [method, path, allow] of cases) {
    const answer = await send(method, path, { headers: { origin: base } });
    const what = `${method} ${path}`;
    expect(answer.status, what).toBe(405);
    expect(answer.headers.allow, what).toBe(allow);
    expectSecurityHeaders(answer, what);
    expect(answer.headers['cache-control'], what).toBe('no-store');
  }
  expectQuietLog(since);
});

test('robustness: malformed server-action bodies answer 400 with the security headers, and log nothing', async () => {
  const cookie = await signedInCookies();
  const since = log.length;
  const pay = actionId('sendPaymentAction');
  const action = (contentType: string, body: string, id: string | null = pay) =>
    send('POST', '/payments', {
      headers: { origin: base, cookie, 'content-type': contentType, ...(id ? { 'next-action': id } : {}) },
      body,
    });
  const malformed: Array<[string, Promise<Answer>]> = [
    ['a cut-off multipart body', action('multipart/form-data; boundary=xyz', '--xyz\r\nContent-Disposition: form-data; name="0"\r\n\r\n[')],
    ['garbage declared as multipart', action('multipart/form-data; boundary=xyz', 'garbage')],
    ['JSON that does not parse', action('text/plain;charset=UTF-8', '[{"a":')],
    ['arguments that are not an array', action('text/plain;charset=UTF-8', '{"a":1}')],
    ['a reference to a part the body does not have', action('text/plain;charset=UTF-8', '["$@7"]')],
    ['a malformed action id', action('text/plain;charset=UTF-8', '[]', 'not-an-id')],
    ['a form posted without script that names no action', action('multipart/form-data; boundary=xyz', '--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--xyz--\r\n', null)],
  ];
  for (const [what, pending] of malformed) {
    const answer = await pending;
    expect(answer.status, what).toBe(400);
    expect(answer.body, what).toBe('Invalid Server Action request.');
    expectSecurityHeaders(answer, what);
  }
  expectQuietLog(since);
});

test('robustness: one page’s action posted to another page, or an unknown action, answers 404 with Next’s not-found marker, runs nothing, and logs nothing', async () => {
  const cookie = await signedInCookies();
  const since = log.length;
  const headers = (id: string) => ({ origin: base, cookie, 'content-type': 'text/plain;charset=UTF-8', 'next-action': id });
  const cases: Array<[string, string, string]> = [
    ['the payment action on /dashboard', '/dashboard', actionId('sendPaymentAction')],
    ['the lab’s keep-a-copy action (it signs the session out) on /payments', '/payments', actionId('keepTokenCopyAction')],
    ['an id no build ever had', '/payments', '7f' + '0'.repeat(40)],
  ];
  for (const [what, path, id] of cases) {
    const answer = await send('POST', path, { headers: headers(id), body: '[{"status":"idle"},"$K1"]' });
    expect(answer.status, what).toBe(404);
    expect(answer.headers['x-nextjs-action-not-found'], what).toBe('1');
    expectSecurityHeaders(answer, what);
  }
  // The keep-a-copy action did not run: the session still reads.
  expect((await send('GET', '/api/me', { headers: { cookie } })).status).toBe(200);
  expectQuietLog(since);
});

test('robustness: an unknown path under /api answers a JSON 404 with a Content-Security-Policy, not an HTML page', async () => {
  const since = log.length;
  for (const method of ['GET', 'POST', 'PUT']) {
    const answer = await send(method, '/api/no-such-route', { headers: { origin: base } });
    expect(answer.status, method).toBe(404);
    expect(answer.headers['content-type'], method).toMatch(/^application\/json/);
    expectSecurityHeaders(answer, method);
    expect(answer.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
  }
  // Every API answer carries it too (they run outside the proxy), and the renewal page keeps its own.
  expectSecurityHeaders(await send('GET', '/api/me'), 'GET /api/me');
  const refused = await send('POST', '/api/auth/refresh', { headers: { origin: base } });
  expect(refused.status).toBe(401);
  expect(refused.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
  const renewalPage = await send('GET', '/api/auth/refresh?next=%2Fdashboard', { headers: { 'sec-fetch-site': 'cross-site' } });
  expect(renewalPage.headers['content-security-policy']).toMatch(/^default-src 'none'; script-src 'sha256-/);
  expectQuietLog(since);
});

test('held-back body: a form post whose body arrives after the access token expired does not render the signed-in page', async () => {
  const pay = actionId('sendPaymentAction');
  const boundary = 'edgesBoundary';
  // The payments form as a browser without script posts it: the action's id, then the fields.
  const body = [
    `--${boundary}\r\nContent-Disposition: form-data; name="$ACTION_ID_${pay}"\r\n\r\n\r\n`,
    `--${boundary}\r\nContent-Disposition: form-data; name="recipient"\r\n\r\nbob@example.com\r\n`,
    `--${boundary}--\r\n`,
  ].join('');
  const post = (cookie: string, holdMs: number) =>
    send('POST', '/payments', {
      headers: { origin: base, cookie, 'content-type': `multipart/form-data; boundary=${boundary}`, 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'navigate' },
      body,
      holdMs,
    });
  const signedInPage = (answer: Answer) => answer.status === 200 && answer.body.includes('Sign out');

  // Sent at once, with a live token: the page renders signed in (the action refuses the incomplete form).
  const warm = await signedInCookies();
  expect((await send('GET', '/payments', { headers: { cookie: warm } })).status).toBe(200); // first render compiles
  const prompt = await post(await signedInCookies(), 0);
  expect(signedInPage(prompt), `status ${prompt.status}`).toBe(true);

  // Headers sent with a live token, the rest of the body a second and a half after it expired.
  const cookie = await signedInCookies();
  const held = await post(cookie, ACCESS_TOKEN_TTL_SECONDS * 1000 + 1_500);
  expect(signedInPage(held), 'the page must not be judged as of the headers').toBe(false);
  expect(held.status).toBe(307);
  expect(held.headers.location).toBe('/api/auth/refresh?next=%2Fpayments');
});
