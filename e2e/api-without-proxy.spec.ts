/**
 * The proxy matches pages only (proxy.ts): for APIs it had no redirect to make and no markup to guard,
 * and its cost was measured (docs/benchmarks.md). So every route handler under app/api is its own
 * gate. This spec finds them all on disk, so an API added later without a token check fails here:
 * each method each one exports must refuse a request without a valid access token. Public by design,
 * and listed here so a reader sees the whole list: the auth endpoints and the health check.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { NON_PAGE_CONTENT_SECURITY_POLICY } from '../lib/request/static-headers.js';
import path from 'node:path';
import { expect, test } from './support/fixtures';

const API_ROOT = path.resolve(import.meta.dirname, '../app/api');
const PUBLIC_APIS = [/^\/api\/auth\//, /^\/api\/health$/];
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** Every route handler under app/api: its URL path and the HTTP methods its route.ts exports. */
function apiRoutes(): { path: string; methods: (typeof METHODS)[number][] }[] {
  return readdirSync(API_ROOT, { recursive: true, encoding: 'utf8' })
    .filter((file) => path.basename(file) === 'route.ts')
    .map((file) => {
      const source = readFileSync(path.join(API_ROOT, file), 'utf8');
      const segments = path.dirname(file).split(path.sep).filter((s) => s !== '.' && !/^\(.*\)$/.test(s));
      return {
        path: `/api/${segments.join('/')}`,
        methods: METHODS.filter((m) => new RegExp(`export\\s+(async\\s+)?(function\\s+${m}\\b|const\\s+${m}\\b)`).test(source)),
      };
    });
}

const protectedApis = apiRoutes().filter((route) => !PUBLIC_APIS.some((pattern) => pattern.test(route.path)));

test('the discovery finds the APIs that exist today', () => {
  expect(protectedApis.map((route) => route.path)).toEqual(expect.arrayContaining(['/api/me', '/api/me/active']));
});

for (const route of protectedApis) {
  for (const method of route.methods) {
    test(`${method} ${route.path} refuses a request without a token, and one with a forged token`, async ({ request, baseURL }) => {
      // Dynamic segments get a harmless value; a same-origin Origin so only the token decides.
      const url = route.path.replace(/\[\.{0,3}([^\]]+)\]/g, 'x');
      const send = (cookie?: string) =>
        request.fetch(url, { method, headers: { Origin: baseURL!, ...(cookie ? { Cookie: cookie } : {}) }, maxRedirects: 0 });
      const anonymous = await send();
      expect(anonymous.status()).toBe(401);
      // APIs carry the allow-nothing policy from next.config.js; the proxy's page policy has a nonce.
      expect(anonymous.headers()['content-security-policy'], 'the proxy did not run').toBe(NON_PAGE_CONTENT_SECURITY_POLICY);
      const forged = await send('__Host-access_token=eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0.eyJzdWIiOiJ4In0.');
      expect(forged.status()).toBe(401);
    });
  }
}

test('GET /api/health answers without a session, outside the proxy, never cached', async ({ request }) => {
  const response = await request.get('/api/health');
  expect(response.status()).toBe(200);
  expect(await response.json()).toEqual({ status: 'ok' });
  expect(response.headers()['cache-control']).toBe('no-store');
  expect(response.headers()['content-security-policy'], 'the proxy did not run').toBe(NON_PAGE_CONTENT_SECURITY_POLICY);
});

test('pages still get the proxy: a protected page redirects a visitor without a token', async ({ request }) => {
  const response = await request.get('/dashboard', { maxRedirects: 0 });
  expect(response.status()).toBe(307);
  expect(response.headers()['location']).toMatch(/\/login\?next=%2Fdashboard$/);
});
