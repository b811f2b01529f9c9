/**
 * The request edges that need no build: the server hook's answer to methods a path does not serve
 * (lib/request/request-edge.ts), and the proxy's check of posts to pages (lib/request/server-actions.ts).
 * Against a real `next start`, with its log read: e2e/request-edges.spec.ts.
 *
 *   node --conditions=react-server --import tsx --test tests/unit/request-edge.test.ts
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

process.env.ACCESS_TOKEN_KEYS = `edge:${randomBytes(32).toString('base64url')}`;

const { installPeerAddressHook } = await import('../../lib/request/request-context-hook');
delete process.env.BENCH_ROUTES;
const { allowedMethods, PAGE_METHODS, ROUTE_HANDLER_METHODS } = await import('../../lib/request/request-edge');
// The table as a bench build has it (BENCH_ROUTES=1 fixed at build time, next.config.js).
process.env.BENCH_ROUTES = '1';
// A second instance of the module (the query makes it one), evaluated with BENCH_ROUTES=1.
// @ts-expect-error -- TypeScript resolves no module path with a query in it
const benchBuild: typeof import('../../lib/request/request-edge') = await import('../../lib/request/request-edge.ts?bench-build');
delete process.env.BENCH_ROUTES;
const { actionsByPageFromManifest, checkActionRequest, pagePathOfWorker, registerServerActions } = await import('../../lib/request/server-actions');

const ROOT = path.resolve(import.meta.dirname, '../..');
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

describe('methods a path does not serve: 405 with Allow, before the app', () => {
  test('the Allow table agrees with every route handler’s exports (Next.js adds OPTIONS, and HEAD for GET)', () => {
    // The benchmark's routes (`route.bench.ts`) are in a bench build only, and in its table only.
    const routes = readdirSync(path.join(ROOT, 'app'), { recursive: true, encoding: 'utf8' })
      .filter((file) => ['route.ts', 'route.bench.ts'].includes(path.basename(file)) && !file.includes('['));
    assert.ok(routes.length >= 10);
    for (const file of routes) {
      const bench = path.basename(file) === 'route.bench.ts';
      const source = readFileSync(path.join(ROOT, 'app', file), 'utf8');
      const exported = METHODS.filter((m) => new RegExp(`export\\s+(async\\s+)?(function|const)\\s+${m}\\b`).test(source));
      // An exported HEAD here is a refusal (the renewal hop's), so it is not a method the path serves.
      const served = new Set([...exported.filter((m) => m !== 'HEAD'), 'OPTIONS']);
      if (exported.includes('GET') && !exported.includes('HEAD')) served.add('HEAD');
      const urlPath = `/${path.dirname(file).split(path.sep).join('/')}`;
      assert.deepEqual([...(benchBuild.ROUTE_HANDLER_METHODS[urlPath] ?? [])].sort(), [...served].sort(), urlPath);
      if (bench) assert.equal(ROUTE_HANDLER_METHODS[urlPath], undefined, `${urlPath} is in a default build's table`);
      else assert.deepEqual(ROUTE_HANDLER_METHODS[urlPath], benchBuild.ROUTE_HANDLER_METHODS[urlPath], urlPath);
    }
    assert.deepEqual(allowedMethods('/probe/public'), PAGE_METHODS, 'a default build: /probe/ paths are page paths (a 404 page)');
    assert.deepEqual(allowedMethods('/dashboard?x=1'), PAGE_METHODS);
    assert.deepEqual(allowedMethods('/api/me/'), ROUTE_HANDLER_METHODS['/api/me']);
  });

  let server: http.Server;
  let port: number;
  const reached: string[] = [];
  before(async () => {
    installPeerAddressHook();
    server = http.createServer((req, res) => {
      reached.push(`${req.method} ${req.url}`);
      res.end('the app');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const send = (method: string, urlPath: string) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method, path: urlPath }, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    });

  test('robustness: TRACE, and PUT/DELETE/PATCH/OPTIONS on a page, get 405 with Allow and the security headers; the app never sees them', async () => {
    for (const [method, urlPath, allow] of <Array<[string, string, string]>>[
      ['TRACE', '/', 'GET, HEAD, POST'],
      ['TRACE', '/api/me', 'GET, HEAD, OPTIONS'],
      ['PUT', '/dashboard', 'GET, HEAD, POST'],
      ['OPTIONS', '/login', 'GET, HEAD, POST'],
      ['DELETE', '/api/auth/refresh', 'GET, OPTIONS, POST'],
    ]) {
      const answer = await send(method, urlPath);
      assert.equal(answer.status, 405, `${method} ${urlPath}`);
      assert.equal(answer.headers.allow, allow);
      assert.equal(answer.headers['x-content-type-options'], 'nosniff');
      assert.equal(answer.headers['x-frame-options'], 'DENY');
      assert.match(String(answer.headers['content-security-policy']), /^default-src 'none'; frame-ancestors 'none'/);
    }
    assert.deepEqual(reached, []);
    // What a path serves goes through untouched.
    assert.equal((await send('POST', '/payments')).body, 'the app');
    assert.equal((await send('OPTIONS', '/api/me')).body, 'the app');
    assert.deepEqual(reached, ['POST /payments', 'OPTIONS /api/me']);
  });
});

describe('posts to pages: a body that decodes, and an action of that page', () => {
  const post = (pathname: string, init: { action?: string; contentType?: string; body: string | FormData }) => {
    const headers = new Headers(init.action ? { 'next-action': init.action } : {});
    if (init.contentType) headers.set('content-type', init.contentType);
    return checkActionRequest(pathname, new Request(`http://localhost:3000${pathname}`, { method: 'POST', headers, body: init.body }));
  };
  const form = (entries: Record<string, string>) => {
    const data = new FormData();
    for (const [key, value] of Object.entries(entries)) data.set(key, value);
    return data;
  };
  const PAY = '7f923ef0a7c7f98209f8983a10452664c71d5c1237';
  const LAB = '7f88376d9ffce62c11a47716537de0808bbe97660d';

  test('the manifest maps each action to the pages that can call it', () => {
    assert.equal(pagePathOfWorker('app/page'), '/');
    assert.equal(pagePathOfWorker('app/settings/password/page'), '/settings/password');
    assert.equal(pagePathOfWorker('app/(group)/payments/page'), '/payments');
    assert.equal(pagePathOfWorker('app/api/me/route'), null);
    const byPage = actionsByPageFromManifest({ node: { [PAY]: { workers: { 'app/payments/page': {} } }, [LAB]: { workers: { 'app/lab/page': {} } } } });
    assert.deepEqual([...byPage.get('/payments')!], [PAY]);
  });

  test('malformed action bodies: a cut-off form, JSON that does not parse, arguments not an array, a dangling reference: 400', async () => {
    const malformed = [
      post('/payments', { action: PAY, contentType: 'multipart/form-data; boundary=xyz', body: '--xyz\r\nContent-Disposition: form-data; name="0"\r\n\r\n[' }),
      post('/payments', { action: PAY, contentType: 'text/plain', body: '[{"a":' }),
      post('/payments', { action: PAY, contentType: 'text/plain', body: '{"a":1}' }),
      post('/payments', { action: PAY, contentType: 'text/plain', body: '["$@7"]' }),
      post('/payments', { action: PAY, contentType: 'text/plain', body: '[{"nested":["$Q1"]}]' }),
      post('/payments', { action: PAY, body: form({ '0': '["$1"]', '1': '{"x":"$@2"}' }) }),
      post('/payments', { action: 'not an id', contentType: 'text/plain', body: '[]' }),
      post('/payments', { body: form({ a: '1' }) }),
      post('/payments', { body: form({ '$ACTION_REF_1': '', '$ACTION_1:0': 'not json' }) }),
    ];
    for (const [index, pending] of malformed.entries()) assert.deepEqual(await pending, { ok: false, status: 400, reason: 'malformed' }, `case ${index}`);
  });

  test('well-formed calls pass: JSON arguments, a form with its references, a form posted without script', async () => {
    const fine = [
      post('/payments', { action: PAY, contentType: 'text/plain;charset=UTF-8', body: '[{"status":"idle"},"$K1","$$literal","$undefined","$D2026-01-01"]' }),
      post('/payments', { action: PAY, body: form({ '0': '[{"status":"idle"},"$K1","$@2"]', '1_recipient': 'bob@example.com', '2': '"done"' }) }),
      post('/payments', { body: form({ [`$ACTION_ID_${PAY}`]: '', recipient: 'bob@example.com' }) }),
      post('/payments', { contentType: 'text/plain', body: 'not an action: Next renders the page' }),
    ];
    for (const [index, pending] of fine.entries()) assert.deepEqual(await pending, { ok: true }, `case ${index}`);
  });

  test('robustness: one page’s action posted to another page, or an unknown action, is refused with 404 once the build’s actions are registered', async () => {
    registerServerActions(actionsByPageFromManifest({ node: { [PAY]: { workers: { 'app/payments/page': {} } }, [LAB]: { workers: { 'app/lab/page': {} } } } }));
    const unknown = { ok: false, status: 404, reason: 'unknown_action' };
    assert.deepEqual(await post('/dashboard', { action: PAY, contentType: 'text/plain', body: '[]' }), unknown);
    assert.deepEqual(await post('/payments', { action: LAB, contentType: 'text/plain', body: '[]' }), unknown);
    assert.deepEqual(await post('/payments', { action: '7f' + '0'.repeat(40), contentType: 'text/plain', body: '[]' }), unknown);
    assert.deepEqual(await post('/payments', { body: form({ [`$ACTION_ID_${LAB}`]: '' }) }), unknown);
    assert.deepEqual(await post('/payments', { action: PAY, contentType: 'text/plain', body: '[]' }), { ok: true });
  });
});

describe('an action called with arguments that carry no form', () => {
  test('robustness: answers invalid_input as a typed result, before any check runs, and logs nothing', async (t) => {
    const { sensitiveAction } = await import('../../lib/sensitive-actions/checked-action');
    const { sendPaymentDefinition } = await import('../../lib/sensitive-actions/send-payment-action');
    const logged = t.mock.method(console, 'error', () => undefined);
    const action = sensitiveAction(sendPaymentDefinition);
    // What a well-formed body naming no form decodes to: anything but FormData in the form's place.
    for (const notAForm of [undefined, 'x', { recipient: 'bob@example.com' }]) {
      const result = await action({ status: 'idle' }, notAForm as unknown as FormData);
      assert.equal(result.status === 'error' && result.code, 'invalid_input');
    }
    assert.equal(logged.mock.callCount(), 0);
  });
});
