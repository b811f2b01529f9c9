/**
 * The proxy is the stateless first gate. Two things are proven here: what it does with each kind of
 * request, and that nothing in its module graph can reach the database.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import ts from 'typescript';

process.env.ACCESS_TOKEN_KEYS = `k:${randomBytes(32).toString('base64url')}`;
process.env.ACCESS_TOKEN_TTL_SECONDS = '300';

const { NextRequest } = await import('next/server');
const { proxy, config } = await import('../../proxy');
const { signAccessToken } = await import('../../lib/proxy-safe/access-token');

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Every project file and package reachable by static or dynamic imports from `entry`. */
function moduleGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [path.resolve(ROOT, entry)];
  while (queue.length) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName: specifier } of importedFiles) {
      const local = specifier.startsWith('.')
        ? path.resolve(path.dirname(file), specifier)
        : specifier.startsWith('@/')
          ? path.resolve(ROOT, specifier.slice(2))
          : null;
      if (!local) {
        packages.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);
        continue;
      }
      const resolved = ['.ts', '.tsx', '/index.ts', ''].map((ext) => local + ext).find((f) => existsSync(f) && f.match(/\.tsx?$/));
      assert.ok(resolved, `cannot resolve ${specifier} from ${file}`);
      queue.push(resolved);
    }
  }
  return { files, packages };
}

const DATABASE_PACKAGES = ['@prisma/client', '@prisma/adapter-better-sqlite3', 'better-sqlite3', 'prisma', 'argon2'];

function databaseReach(entry: string): string[] {
  const { files, packages } = moduleGraph(entry);
  const localHits = [...files]
    .map((f) => path.relative(ROOT, f))
    .filter((f) => f === 'lib/db/client.ts' || f.startsWith('lib/generated/'));
  return [...localHits, ...DATABASE_PACKAGES.filter((p) => packages.has(p))];
}

describe('proxy module graph (the proxy stays stateless)', () => {
  test('proxy.ts reaches no database code', () => {
    assert.deepEqual(databaseReach('proxy.ts'), []);
  });

  test('the check does find database code where it exists', () => {
    assert.ok(databaseReach('lib/session/session-store.ts').includes('lib/db/client.ts'));
    assert.ok(databaseReach('lib/sensitive-actions/checked-action.ts').includes('lib/db/client.ts'));
  });
});

describe('proxy behaviour', () => {
  const base = 'http://localhost:3000';
  const request = (pathname: string, init: { cookies?: Record<string, string>; method?: string } = {}) =>
    new NextRequest(`${base}${pathname}`, {
      method: init.method ?? 'GET',
      headers: {
        cookie: Object.entries(init.cookies ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join('; '),
      },
    });
  const validToken = async () =>
    (await signAccessToken({ userId: 'u', email: 'alice@example.com', sessionId: 's' })).token;

  test('lets a valid access token through', async () => {
    const response = await proxy(request('/dashboard', { cookies: { '__Host-access_token': await validToken() } }));
    assert.equal(response.headers.get('x-middleware-next'), '1');
  });

  test('sends a visitor without a token to the login form, remembering the page', async () => {
    const response = await proxy(request('/payments?tab=1'));
    assert.equal(response.status, 307);
    assert.equal(new URL(response.headers.get('location')!).pathname + new URL(response.headers.get('location')!).search, '/login?next=%2Fpayments%3Ftab%3D1');
  });

  test('sends an expired visitor with the session hint through renewal instead', async () => {
    const response = await proxy(request('/dashboard', { cookies: { '__Host-session_hint': '1' } }));
    assert.equal(response.status, 307);
    assert.match(response.headers.get('location')!, /\/api\/auth\/refresh\?next=%2Fdashboard$/);
  });

  test('refuses a forged token like a missing one', async () => {
    const forged = (await validToken()).slice(0, -4) + 'AAAA';
    const response = await proxy(request('/dashboard', { cookies: { '__Host-access_token': forged } }));
    assert.equal(response.status, 307);
    assert.match(response.headers.get('location')!, /\/login\?next=/);
  });

  test('answers API requests with 401 JSON, not a redirect', async () => {
    const response = await proxy(request('/api/me'));
    assert.equal(response.status, 401);
    assert.deepEqual(await response.json(), { error: 'Not signed in' });
  });

  test('passes server-action POSTs on to the action, which checks for itself', async () => {
    const response = await proxy(request('/payments', { method: 'POST' }));
    assert.equal(response.headers.get('x-middleware-next'), '1');
  });

  test('guards every protected path and leaves the auth endpoints open', () => {
    assert.deepEqual(config.matcher, [
      '/dashboard/:path*',
      '/settings/:path*',
      '/payments/:path*',
      '/sessions/:path*',
      '/activity/:path*',
      '/api/((?!auth/).*)',
    ]);
  });
});
