/**
 * Every route handler goes through the one checked path, lib/route/route-handler.ts (as every server
 * action goes through lib/sensitive-actions/checked-action.ts): each HTTP method an app/ route.ts
 * exports is built with routeHandler(). And the wrapper does what it promises: the Origin rule
 * (ASVS 3.5.3), the bounded zod-parsed body, and a 503 for anything unexpected (ASVS 16.5.2, 16.5.3).
 * app/probe/ holds test-only probes with rules of their own, and is left out.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { NextRequest } from 'next/server';
import { z } from 'zod';
import { ROOT } from '../helpers/module-graph';

process.env.ACCESS_TOKEN_KEYS = `k:${randomBytes(32).toString('base64url')}`;
delete process.env.APP_URL;
delete process.env.TRUST_PROXY;
const { routeHandler } = await import('../../lib/route/route-handler');
const { json, jsonError, RouteError } = await import('../../lib/route/responses');

const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

const routeFiles = execFileSync('git', ['ls-files', '-co', '--exclude-standard', 'app/**/route.ts', 'app/**/route.tsx'], {
  cwd: ROOT,
  encoding: 'utf8',
})
  .split('\n')
  .filter((f) => f && !f.startsWith('app/probe/'));

/** Each exported name of `source` with the local binding it exports (`export { a as GET }` exports `a`). */
function exportedBindings(source: string): Array<{ name: string; local: string; line: string }> {
  const declared = [...source.matchAll(/^export\s+(?:async\s+)?(?:const|let|var|function|class)\s+(\w+).*$/gm)].map(
    ([line, name]) => ({ name, local: name, line }),
  );
  const listed = [...source.matchAll(/^export\s*\{([^}]*)\}.*$/gm)].flatMap(([line, list]) =>
    list
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean)
      .map((item) => {
        const [local, name = local] = item.split(/\s+as\s+/);
        return { name, local, line };
      }),
  );
  return [...declared, ...listed];
}

describe('every route handler is built with routeHandler()', () => {
  test('there are route handlers to check', () => {
    assert.ok(routeFiles.includes('app/api/auth/login/route.ts'));
    assert.ok(routeFiles.length >= 8);
  });

  test('each HTTP method a route.ts exports is a const made by routeHandler(...)', () => {
    for (const file of routeFiles) {
      const source = readFileSync(path.join(ROOT, file), 'utf8');
      const handlers = exportedBindings(source).filter(({ name }) => HTTP_METHODS.has(name));
      assert.ok(handlers.length > 0, `${file} exports a handler`);
      for (const { name, local, line } of handlers) {
        const definition = new RegExp(`^(?:export\\s+)?const\\s+${local}\\s*=\\s*routeHandler\\(`, 'm');
        assert.match(source, definition, `${file}: ${name} must be created by routeHandler (${line.trim()})`);
      }
      assert.match(source, /from '@\/lib\/route\/route-handler'/, `${file} imports routeHandler`);
    }
  });

  test("only the two DBSC endpoints, which the browser itself calls, let a missing Origin through", () => {
    const lenient = routeFiles.filter((file) => readFileSync(path.join(ROOT, file), 'utf8').includes('absent-or-same-origin'));
    assert.deepEqual(lenient.sort(), ['app/api/auth/dbsc/refresh/route.ts', 'app/api/auth/dbsc/register/route.ts']);
    for (const file of lenient) {
      const source = readFileSync(path.join(ROOT, file), 'utf8');
      assert.match(source, /^export const POST = routeHandler\(\s*\{ crossOrigin: 'absent-or-same-origin'/m, `${file}: POST only`);
      assert.equal((source.match(/routeHandler\(/g) ?? []).length, 1, `${file}: one handler`);
    }
  });

  test('the check catches a plain handler, a re-exported function and a wrapped one', () => {
    const offenders = [
      'export async function POST(req) { return new Response(null); }',
      "function notFound() { return new Response(null); }\nexport { notFound as GET };",
      'export const POST = failClosed(async () => new Response(null));',
    ];
    for (const source of offenders) {
      const [{ local }] = exportedBindings(source);
      assert.doesNotMatch(source, new RegExp(`^(?:export\\s+)?const\\s+${local}\\s*=\\s*routeHandler\\(`, 'm'));
    }
  });
});

const post = (headers: Record<string, string>, body?: string) =>
  new NextRequest('http://localhost:3000/api/x', { method: 'POST', headers: { host: 'localhost:3000', ...headers }, body });
const SAME_ORIGIN = { origin: 'http://localhost:3000' };

describe('routeHandler(): the checks it makes', () => {
  test('refuses a cross-origin or origin-less request with 403 before the handler runs (ASVS 3.5.3)', async () => {
    let ran = 0;
    const handler = routeHandler({}, async () => {
      ran++;
      return json({ ok: true });
    });
    const refusedHeaders: Array<Record<string, string>> = [{ origin: 'https://evil.example' }, { origin: 'null' }, {}];
    for (const headers of refusedHeaders) {
      assert.equal((await handler(post(headers))).status, 403);
    }
    assert.equal(ran, 0);
    assert.equal((await handler(post(SAME_ORIGIN))).status, 200);
  });

  test('crossOrigin: absent-or-same-origin lets a missing Origin through, never a foreign or null one', async () => {
    let ran = 0;
    const handler = routeHandler({ crossOrigin: 'absent-or-same-origin' }, async () => {
      ran++;
      return json({ ok: true });
    });
    assert.equal((await handler(post({ origin: 'https://evil.example' }))).status, 403);
    assert.equal((await handler(post({ origin: 'null' }))).status, 403);
    assert.equal((await handler(post({ origin: 'http://localhost:3000.evil.example' }))).status, 403);
    assert.equal(ran, 0);
    assert.equal((await handler(post({}))).status, 200);
    assert.equal((await handler(post(SAME_ORIGIN))).status, 200);
  });

  test('crossOrigin: allowed lets an origin-less read through', async () => {
    const handler = routeHandler({ crossOrigin: 'allowed' }, async (req: NextRequest) => json({ path: req.nextUrl.pathname }));
    assert.equal((await handler(post({}))).status, 200);
  });

  test('body(): typed data, or the wrapper answers 415, 413 or 400 (the handler never sees it)', async () => {
    const handler = routeHandler({ body: z.object({ n: z.number() }) }, async (_req, { body }) => json(await body()));
    const ok = await handler(post({ ...SAME_ORIGIN, 'content-type': 'application/json' }, '{"n":1}'));
    assert.deepEqual(await ok.json(), { n: 1 });
    assert.equal((await handler(post({ ...SAME_ORIGIN, 'content-type': 'text/plain' }, '{"n":1}'))).status, 415);
    assert.equal((await handler(post({ ...SAME_ORIGIN, 'content-type': 'application/json' }, 'x'.repeat(9000)))).status, 413);
    assert.equal((await handler(post({ ...SAME_ORIGIN, 'content-type': 'application/json' }, '{"n":"1"}'))).status, 400);
  });

  test('a thrown RouteError is its response; anything else fails closed with 503 + Retry-After and no detail', async (t) => {
    t.mock.method(console, 'error', () => {});
    const refused = routeHandler({}, async () => {
      throw new RouteError(jsonError(429, 'Slow down.'));
    });
    assert.equal((await refused(post(SAME_ORIGIN))).status, 429);
    const broken = routeHandler({ crossOrigin: 'allowed' }, (): Response => {
      throw new Error('SQLITE_CANTOPEN /var/secret/path.db');
    });
    const response = await broken();
    assert.equal(response.status, 503);
    assert.ok(response.headers.get('retry-after'));
    assert.doesNotMatch(await response.text(), /SQLITE|secret/);
  });

  test('defaultHeaders fill in what an answer does not set itself; a synchronous handler answers synchronously', () => {
    const handler = routeHandler({ crossOrigin: 'allowed', defaultHeaders: { 'X-Test': 'default' } }, () => {
      const response = new Response(null, { status: 405 });
      return response;
    });
    const response = handler();
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('x-test'), 'default');
    const own = routeHandler({ crossOrigin: 'allowed', defaultHeaders: { 'X-Test': 'default' } }, () =>
      new Response(null, { headers: { 'X-Test': 'own' } }),
    );
    assert.equal(own().headers.get('x-test'), 'own');
  });
});
