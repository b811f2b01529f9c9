/**
 * A page GET's Content-Security-Policy is written onto the request by the server hook and copied to the
 * response by the proxy (docs/decisions/0096-page-policy-written-by-the-server-hook.md). Proven here:
 * the hook writes a fresh policy on every page GET and nowhere else, a client can neither choose the
 * nonce nor forge the hook's mark, and the proxy answers with exactly the policy Next.js renders with.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';

process.env.ACCESS_TOKEN_KEYS = `k:${randomBytes(32).toString('base64url')}`;

const { NextRequest } = await import('next/server');
const { unstable_doesMiddlewareMatch } = await import('next/experimental/testing/server');
const { proxy, config } = await import('../../proxy');
const { installPeerAddressHook } = await import('../../lib/request/request-context-hook');
const { hookPagePolicy, PAGE_PATH, PAGE_POLICY_MARK_HEADER } = await import('../../lib/request/security-headers');

const PAGES = ['/', '/login', '/login?next=%2Fdashboard', '/signup', '/dashboard', '/settings/password', '/no-such-page', '/apiary'];
const NOT_PAGES = ['/api/me', '/api/auth/refresh?next=/x', '/api/health', '/_next/static/chunks/main.js', '/_next/image?url=%2Fog.png', '/favicon.ico', '/favicon.icon'];

describe("the hook's page paths are the proxy's", () => {
  test('every path the proxy matcher takes, and no other, gets a policy from the hook', () => {
    for (const url of [...PAGES, ...NOT_PAGES]) {
      assert.equal(PAGE_PATH.test(url), unstable_doesMiddlewareMatch({ config, url }), url);
    }
  });
});

describe('the hook writes the policy of a page GET', () => {
  let server: http.Server;
  let port: number;
  const seen: Headers[] = [];

  before(async () => {
    installPeerAddressHook();
    server = http.createServer((req, res) => {
      seen.push(new Headers(Object.entries(req.headers).map(([name, value]): [string, string] => [name, String(value)])));
      req.resume();
      req.on('end', () => res.end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** The request's headers as the app (the proxy, then Next.js) sees them. */
  async function send(path: string, method = 'GET', headers: Record<string, string> = {}): Promise<Headers> {
    await new Promise<void>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path, method, headers: { host: 'localhost:3000', ...headers } }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end(method === 'POST' ? 'x' : undefined);
    });
    return seen.at(-1)!;
  }

  test('a page GET carries a nonce policy with the mark only this process knows', async () => {
    for (const path of PAGES) {
      const policy = hookPagePolicy(await send(path));
      assert.match(policy ?? '', /script-src 'self' 'nonce-[A-Za-z0-9+/]{22}==' 'strict-dynamic';/, path);
      assert.doesNotMatch(policy!, /unsafe-inline|unsafe-eval/, path);
    }
  });

  test('nonce reuse: two page GETs never share a nonce', async () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 20; i++) nonces.add(hookPagePolicy(await send('/'))!.match(/'nonce-([^']+)'/)![1]);
    assert.equal(nonces.size, 20);
  });

  test('a client cannot choose the nonce: its policy header is overwritten, its mark ignored', async () => {
    const forged = { 'content-security-policy': "script-src 'nonce-attacker'", [PAGE_POLICY_MARK_HEADER]: 'guessed' };
    const headers = await send('/login', 'GET', forged);
    assert.doesNotMatch(headers.get('content-security-policy')!, /attacker/);
    assert.doesNotMatch(hookPagePolicy(headers)!, /attacker/);
    // Elsewhere the hook writes nothing and drops the mark, so the forged policy is never taken for its own.
    for (const [path, method] of [['/api/me', 'GET'], ['/_next/static/chunks/main.js', 'GET'], ['/login', 'POST']] as const) {
      assert.equal(hookPagePolicy(await send(path, method, forged)), null, `${method} ${path}`);
    }
  });

  test("the proxy answers a page GET with the hook's policy and passes the request on unchanged", async () => {
    const headers = await send('/login');
    const response = await proxy(new NextRequest('http://localhost:3000/login', { headers }));
    assert.equal(response.headers.get('content-security-policy'), headers.get('content-security-policy'));
    assert.equal(response.headers.get('x-middleware-override-headers'), null);
  });

  test('without the mark the proxy writes a policy of its own, never the one the client sent', async () => {
    const forged = { 'content-security-policy': "script-src 'nonce-attacker'", [PAGE_POLICY_MARK_HEADER]: 'guessed', host: 'localhost:3000' };
    const response = await proxy(new NextRequest('http://localhost:3000/login', { headers: forged }));
    const policy = response.headers.get('content-security-policy')!;
    assert.match(policy, /'nonce-[A-Za-z0-9+/]{22}=='/);
    assert.doesNotMatch(policy, /attacker/);
    assert.equal(response.headers.get('x-middleware-request-content-security-policy'), policy);
  });
});
