/**
 * The proxy is the stateless first gate. Two things are proven here: what it does with each kind of
 * request, and that nothing in its module graph can reach the database.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import ts from 'typescript';

process.env.ACCESS_TOKEN_KEYS = `k:${randomBytes(32).toString('base64url')}`;
process.env.ACCESS_TOKEN_TTL_SECONDS = '300';

const { NextRequest } = await import('next/server');
const { unstable_doesMiddlewareMatch } = await import('next/experimental/testing/server');
delete process.env.BENCH_ROUTES;
const { proxy, config, PAGE_POST_MAX_BYTES } = await import('../../proxy');
// The proxy as a bench build has it (BENCH_ROUTES=1 fixed at build time, next.config.js): a second
// instance of the module, evaluated with the switch set.
process.env.BENCH_ROUTES = '1';
// @ts-expect-error -- TypeScript resolves no module path with a query in it
const benchBuild: typeof import('../../proxy') = await import('../../proxy.ts?bench-build');
delete process.env.BENCH_ROUTES;
const PROXY_PASS_THROUGH = '/probe/pass-through';
const { signAccessToken } = await import('../../lib/tokens/access-token');

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
      const resolved = ['.ts', '.tsx', '/index.ts', ''].map((ext) => local + ext).find((f) => existsSync(f) && f.match(/\.(tsx?|js)$/));
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
  const request = (
    pathname: string,
    init: { cookies?: Record<string, string>; method?: string; headers?: Record<string, string>; body?: string } = {},
  ) =>
    new NextRequest(`${base}${pathname}`, {
      method: init.method ?? 'GET',
      body: init.body,
      headers: {
        host: 'localhost:3000',
        cookie: Object.entries(init.cookies ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join('; '),
        ...init.headers,
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

  test('every signed-in page, including /sessions, /activity and /lab, sends a visitor without a token to sign-in', async () => {
    for (const page of ['/dashboard', '/payments', '/settings/password', '/sessions', '/activity', '/lab']) {
      const response = await proxy(request(page));
      assert.equal(response.status, 307, page);
      assert.equal(new URL(response.headers.get('location')!).pathname, '/login', page);
    }
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

  test('bench build: the benchmark probe of a protected page is refused without a token like a real one', async () => {
    const response = await benchBuild.proxy(request('/probe/signed-in'));
    assert.equal(response.status, 307);
    assert.match(response.headers.get('location')!, /\/login\?next=%2Fprobe%2Fsigned-in$/);
    const signedIn = await benchBuild.proxy(request('/probe/signed-in', { cookies: { '__Host-access_token': await validToken() } }));
    assert.equal(signedIn.headers.get('x-middleware-next'), '1');
    assert.match(signedIn.headers.get('content-security-policy')!, /'nonce-/);
  });

  test('bench build: the pass-through probe is passed on untouched: no token check, no headers (the cost of a proxy that does nothing)', async () => {
    const response = await benchBuild.proxy(request(PROXY_PASS_THROUGH, { headers: { 'x-forwarded-proto': 'https' } }));
    assert.equal(response.headers.get('x-middleware-next'), '1');
    assert.equal(response.headers.get('content-security-policy'), null);
    assert.equal(response.headers.get('x-middleware-request-content-security-policy'), null);
    // Only that exact path: anything below it is an ordinary public page with the headers.
    const below = await benchBuild.proxy(request(`${PROXY_PASS_THROUGH}/x`));
    assert.match(below.headers.get('content-security-policy')!, /'nonce-/);
  });

  test('default build: the benchmark paths are ordinary public page paths, with the headers and no pass-through', async () => {
    for (const path of [PROXY_PASS_THROUGH, '/probe/signed-in']) {
      const response = await proxy(request(path));
      assert.equal(response.headers.get('x-middleware-next'), '1', path);
      assert.match(response.headers.get('content-security-policy')!, /'nonce-/, path);
    }
  });

  test("a script's fetch of a protected page (Next's router) gets 401, not a redirect it would follow to /login", async () => {
    // A followed redirect reaches /login with Next's RSC headers, and Next then
    // redirects to /login?next=…&_rsc=…, leaking its internal query into the address bar. On a 401
    // Next's router navigates the whole page to the same address instead, which is redirected cleanly.
    for (const mode of ['cors', 'same-origin', 'no-cors']) {
      for (const cookies of [{}, { '__Host-session_hint': '1' }] as Record<string, string>[]) {
        const response = await proxy(request('/dashboard', { cookies, headers: { 'sec-fetch-mode': mode } }));
        assert.equal(response.status, 401, mode);
        assert.equal(response.headers.get('location'), null);
        assert.equal(response.headers.get('cache-control'), 'no-store');
      }
    }
    const navigation = await proxy(request('/dashboard', { headers: { 'sec-fetch-mode': 'navigate' } }));
    assert.equal(navigation.status, 307);
    assert.match(navigation.headers.get('location')!, /\/login\?next=%2Fdashboard$/);
    const signedIn = await proxy(
      request('/dashboard', { cookies: { '__Host-access_token': await validToken() }, headers: { 'sec-fetch-mode': 'cors' } }),
    );
    assert.equal(signedIn.headers.get('x-middleware-next'), '1', 'a signed-in fetch goes through as before');
  });

  test('lets public pages through without a token', async () => {
    for (const page of ['/', '/login', '/signup']) {
      const response = await proxy(request(page));
      assert.equal(response.headers.get('x-middleware-next'), '1', page);
    }
  });

  test('passes same-origin server-action POSTs on to the action, which checks for itself', async () => {
    const response = await proxy(
      // A well-formed call (an id, and the arguments as a JSON array); malformed ones: tests/unit/request-edge.test.ts.
      request('/payments', { method: 'POST', headers: { origin: base, 'next-action': 'abc', 'content-type': 'text/plain' }, body: '[]' }),
    );
    assert.equal(response.headers.get('x-middleware-next'), '1');
  });

  test('cross-origin server action: a POST from another site to a page is refused with 403 before Next sees it', async () => {
    for (const page of ['/payments', '/settings/password', '/login', '/']) {
      const response = await proxy(
        request(page, {
          method: 'POST',
          cookies: { '__Host-access_token': await validToken() },
          headers: { origin: 'https://evil.example', 'next-action': 'abc', 'content-type': 'text/plain' },
        }),
      );
      assert.equal(response.status, 403, page);
      assert.equal(response.headers.get('x-middleware-next'), null, page);
    }
  });

  test('cross-origin server action: an Origin-less or Origin: null POST to a page is refused too', async () => {
    for (const headers of [{}, { origin: 'null' }] as Record<string, string>[]) {
      const response = await proxy(request('/payments', { method: 'POST', headers: { 'next-action': 'abc', ...headers } }));
      assert.equal(response.status, 403);
    }
  });

  test('cross-origin server action: another scheme or port of the same host is another origin', async () => {
    for (const origin of ['https://localhost:3000', 'http://localhost:4000']) {
      const response = await proxy(request('/payments', { method: 'POST', headers: { origin, 'next-action': 'abc' } }));
      assert.equal(response.status, 403, origin);
    }
  });

  test('oversized server-action body: a declared length over the limit is refused with 413 before it is read', async () => {
    const response = await proxy(
      request('/login', {
        method: 'POST',
        headers: { origin: base, 'next-action': 'abc', 'content-length': String(PAGE_POST_MAX_BYTES + 1) },
      }),
    );
    assert.equal(response.status, 413);
    const fits = await proxy(
      request('/login', { method: 'POST', headers: { origin: base, 'next-action': 'abc', 'content-type': 'text/plain' }, body: '[]' }),
    );
    assert.equal(fits.headers.get('x-middleware-next'), '1');
  });

  // The limit is 64 KiB, the same as next.config.js's own limits for bodies without a length.
  test('oversized server-action body: the declared-length limit is 64 KiB, the same as Next’s own limits', async () => {
    assert.equal(PAGE_POST_MAX_BYTES, 64 * 1024);
    const nextConfig = readFileSync(path.join(ROOT, 'next.config.js'), 'utf8');
    assert.match(nextConfig, /proxyClientMaxBodySize: '64kb'/);
    assert.match(nextConfig, /bodySizeLimit: '64kb'/);
    const response = await proxy(
      request('/login', { method: 'POST', headers: { origin: base, 'content-length': String(64 * 1024 + 1) } }),
    );
    assert.equal(response.status, 413);
  });

  test('cross-origin server action: a forged X-Forwarded-Host does not make another site ours (TRUST_PROXY off)', async () => {
    const response = await proxy(
      request('/payments', {
        method: 'POST',
        headers: { origin: 'https://evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https', 'next-action': 'abc' },
      }),
    );
    assert.equal(response.status, 403);
  });
});

describe('proxy matcher: every page gets the security headers, APIs stay out', () => {
  const matches = (url: string) => unstable_doesMiddlewareMatch({ config, url });

  test('matches every page, including ones that do not exist', () => {
    for (const url of ['/', '/login', '/signup', '/dashboard', '/payments', '/settings/password', '/no-such-page', '/apiary', '/probe/signed-in', PROXY_PASS_THROUGH]) {
      assert.equal(matches(url), true, url);
    }
  });

  // The APIs check the token themselves through lib/dal.ts (e2e/api-without-proxy.spec.ts proves each
  // one refuses a request without a valid token); the proxy would only add its cost.
  test('leaves every API and Next static files alone', () => {
    for (const url of ['/api/me', '/api/me/active', '/api/health', '/api/auth/login', '/api/auth/refresh', '/api/auth/logout', '/api/auth/signup', '/_next/static/chunks/main.js', '/favicon.ico']) {
      assert.equal(matches(url), false, url);
    }
  });
});

describe('security headers on pages (script injection, clickjacking, downgrade)', () => {
  const base = 'http://localhost:3000';
  const page = (pathname: string, headers: Record<string, string> = {}) =>
    proxy(new NextRequest(`${base}${pathname}`, { headers: { host: 'localhost:3000', ...headers } }));
  const directives = (policy: string) =>
    new Map(policy.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));

  test('injected inline script: every page has a CSP whose scripts need a per-request nonce', async () => {
    for (const pathname of ['/', '/login', '/signup']) {
      const response = await page(pathname);
      const policy = response.headers.get('content-security-policy');
      assert.ok(policy, pathname);
      const script = directives(policy).get('script-src')!;
      assert.ok(script.some((v) => /^'nonce-[A-Za-z0-9+/]{22}==?'$/.test(v)), policy);
      assert.ok(!script.includes("'unsafe-inline'") && !script.includes("'unsafe-eval'"), policy);
      assert.ok(!directives(policy).get('style-src')!.includes("'unsafe-inline'"), policy);
    }
  });

  test('Next.js receives the same policy on the request, so it can nonce its own scripts', async () => {
    const response = await page('/login');
    assert.equal(
      response.headers.get('x-middleware-request-content-security-policy'),
      response.headers.get('content-security-policy'),
    );
  });

  test('nonce reuse: two requests never share a nonce', async () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const policy = (await page('/')).headers.get('content-security-policy')!;
      nonces.add(policy.match(/'nonce-([^']+)'/)![1]);
    }
    assert.equal(nonces.size, 20);
  });

  test('a client-sent CSP request header cannot choose the nonce', async () => {
    const response = await page('/', { 'content-security-policy': "script-src 'nonce-attacker'" });
    assert.doesNotMatch(response.headers.get('x-middleware-request-content-security-policy')!, /attacker/);
  });

  test('framing, plugins, base-tag hijack and form redirection are all shut', async () => {
    const policy = directives((await page('/')).headers.get('content-security-policy')!);
    assert.deepEqual(policy.get('frame-ancestors'), ["'none'"]);
    assert.deepEqual(policy.get('object-src'), ["'none'"]);
    assert.deepEqual(policy.get('base-uri'), ["'none'"]);
    assert.deepEqual(policy.get('form-action'), ["'self'"]);
    assert.deepEqual(policy.get('default-src'), ["'self'"]);
  });

  test('protected pages get the CSP too', async () => {
    const token = (await signAccessToken({ userId: 'u', email: 'alice@example.com', sessionId: 's' })).token;
    const response = await page('/dashboard', { cookie: `__Host-access_token=${token}` });
    assert.match(response.headers.get('content-security-policy')!, /'nonce-/);
  });

  test('no HSTS on plain-http localhost, even when a client forges X-Forwarded-Proto: https', async () => {
    assert.equal((await page('/')).headers.get('strict-transport-security'), null);
    assert.equal((await page('/', { 'x-forwarded-proto': 'https' })).headers.get('strict-transport-security'), null);
    assert.doesNotMatch((await page('/')).headers.get('content-security-policy')!, /upgrade-insecure-requests/);
  });

  // The configuration is read once per process, so the https deployments run in a child process.
  const underConfig = (env: Record<string, string>, headers: Record<string, string>) => {
    const script = `
      const { NextRequest } = await import('next/server');
      const { proxy } = await import('./proxy.ts');
      const response = await proxy(new NextRequest('http://localhost:3000/login', { headers: ${JSON.stringify(headers)} }));
      console.log(JSON.stringify(Object.fromEntries(response.headers)));`;
    const out = execFileSync(process.execPath, ['--conditions=react-server', '--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      env: { ...process.env, APP_URL: '', TRUST_PROXY: '', ...env },
      encoding: 'utf8',
    });
    return JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, string>;
  };

  test('downgrade to http: HSTS is sent when APP_URL is https', () => {
    const headers = underConfig({ APP_URL: 'https://sessions.example.com' }, { host: 'internal:3000' });
    assert.match(headers['strict-transport-security'], /^max-age=\d{8,}; includeSubDomains$/);
    assert.match(headers['content-security-policy'], /upgrade-insecure-requests/);
  });

  test('downgrade to http: HSTS is sent behind a trusted proxy that says https, not one that says http', () => {
    const https = underConfig({ TRUST_PROXY: 'true' }, { host: 'app:3000', 'x-forwarded-proto': 'https' });
    assert.match(https['strict-transport-security'], /^max-age=/);
    const http = underConfig({ TRUST_PROXY: 'true' }, { host: 'app:3000', 'x-forwarded-proto': 'http' });
    assert.equal(http['strict-transport-security'], undefined);
  });
});
