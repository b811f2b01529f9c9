/**
 * ASVS v5 9.1.1, 9.1.2, 9.2.1-9.2.3 and 7.2.1 against a real `next start`: forged access tokens sent to
 * `/api/me` and to every protected page, and the forged `x-middleware-subrequest` header of
 * CVE-2025-29927, which let requests skip Next.js middleware. The unit suite
 * (tests/integration/token-attacks.test.ts) attacks each gate alone; this one shows the assembled
 * server refuses the same tokens, whatever header rides along.
 *
 * Forging with the real key needs the key: the suite's own servers share E2E_ACCESS_TOKEN_KEYS
 * (e2e/support/servers.ts). Against a deployment (E2E_BASE_URL) only the keyless attacks run.
 */
import { randomBytes } from 'node:crypto';
import { base64url } from 'jose';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { forgeAccessToken } from '../tests/helpers/forge-token';
import { DEMO_PASSWORD } from './support/fixtures';
import { OWN_SERVERS } from './support/servers';

const ACCESS = '__Host-access_token';
const PROTECTED_PAGES = ['/dashboard', '/payments', '/settings/password', '/sessions', '/activity', '/lab'];
/** The header values that bypassed middleware in vulnerable Next.js versions (12.2 to 15.2.2). */
const SUBREQUEST_HEADERS = [
  'middleware',
  'proxy',
  'src/middleware',
  'src/proxy',
  'pages/_middleware',
  'middleware:middleware:middleware:middleware:middleware',
  'proxy:proxy:proxy:proxy:proxy',
  'src/middleware:src/middleware:src/middleware:src/middleware:src/middleware',
];

const appKey = () => {
  const [kid, secret] = process.env.E2E_ACCESS_TOKEN_KEYS!.split(',')[0].split(':');
  return { kid, secret: new Uint8Array(Buffer.from(secret, 'base64url')) };
};

/** alice's real session: the forged tokens name it, so only the check under attack stands in the way. */
async function aliceSession(request: APIRequestContext, baseURL: string) {
  const login = await request.post('/api/auth/login', {
    data: { email: 'alice@example.com', password: DEMO_PASSWORD },
    headers: { Origin: baseURL },
  });
  expect(login.status()).toBe(200);
  const token = (await request.storageState()).cookies.find((c) => c.name === ACCESS)!.value;
  const claims = JSON.parse(new TextDecoder().decode(base64url.decode(token.split('.')[1])));
  return { token, claims: { sub: claims.sub, sid: claims.sid, email: claims.email } };
}

async function forgeries(victim: { token: string; claims: Record<string, string> }): Promise<Array<[string, string]>> {
  const now = Math.floor(Date.now() / 1000);
  const [header, payload, signature] = victim.token.split('.');
  const decoded = JSON.parse(new TextDecoder().decode(base64url.decode(payload)));
  const keyless: Array<[string, string]> = [
    ['alg none', `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'at+jwt' }))}.${payload}.`],
    ['tampered payload (exp a year out)', `${header}.${base64url.encode(JSON.stringify({ ...decoded, exp: decoded.exp + 31_536_000 }))}.${signature}`],
    ['signed with an attacker secret', await forgeAccessToken(randomBytes(32), { kid: 'e2e', claims: victim.claims })],
    ['garbage', 'not.a.token'],
  ];
  if (!OWN_SERVERS) return keyless;
  const { kid, secret } = appKey();
  const withKey = (tweak: { header?: Record<string, unknown>; claims?: Record<string, unknown> }) =>
    forgeAccessToken(secret, { kid, header: tweak.header, claims: { ...victim.claims, ...tweak.claims } });
  return [
    ...keyless,
    ['HS512 with the real secret', await withKey({ header: { alg: 'HS512' } })],
    ['unknown kid', await withKey({ header: { kid: 'attacker' } })],
    ['expired', await withKey({ claims: { iat: now - 400, exp: now - 100 } })],
    ['not yet valid (nbf)', await withKey({ claims: { nbf: now + 120 } })],
    ['not yet valid (iat a year ahead)', await withKey({ claims: { iat: now + 31_536_000, exp: now + 31_536_300 } })],
    ['wrong iss', await withKey({ claims: { iss: 'someone-else' } })],
    ['wrong aud', await withKey({ claims: { aud: 'another-app' } })],
    ['wrong typ', await withKey({ header: { typ: 'JWT' } })],
  ];
}

test.describe('forged access tokens against a real server (ASVS 9.1.1, 9.1.2, 9.2.1-9.2.3)', () => {
  test('GET /api/me answers 401 to every forged token, with or without a forged x-middleware-subrequest', async ({ request, baseURL }) => {
    const victim = await aliceSession(request, baseURL!);
    // The control: the genuine token reads.
    expect((await request.get('/api/me', { headers: { Cookie: `${ACCESS}=${victim.token}` } })).status()).toBe(200);
    for (const [name, token] of await forgeries(victim)) {
      for (const subrequest of [undefined, ...SUBREQUEST_HEADERS]) {
        const response = await request.get('/api/me', {
          headers: { Cookie: `${ACCESS}=${token}`, ...(subrequest ? { 'x-middleware-subrequest': subrequest } : {}) },
        });
        expect(response.status(), `${name} with x-middleware-subrequest: ${subrequest}`).toBe(401);
        expect(await response.json()).toEqual({ error: 'Not signed in' });
      }
    }
  });

  test('every protected page sends a forged token to the sign-in form, never renders', async ({ request, baseURL }) => {
    const victim = await aliceSession(request, baseURL!);
    for (const [name, token] of await forgeries(victim)) {
      for (const path of PROTECTED_PAGES) {
        const response = await request.get(path, { maxRedirects: 0, headers: { Cookie: `${ACCESS}=${token}` } });
        expect(response.status(), `${name} on ${path}`).toBe(307);
        expect(new URL(response.headers().location, baseURL).pathname, `${name} on ${path}`).toBe('/login');
      }
    }
  });
});

test.describe('CVE-2025-29927: a forged x-middleware-subrequest header skips nothing', () => {
  for (const subrequest of SUBREQUEST_HEADERS) {
    test(`x-middleware-subrequest: ${subrequest}`, async ({ request, baseURL }) => {
      // The proxy still runs: a public page keeps its per-request CSP (only the proxy sets it).
      const home = await request.get('/', { headers: { 'x-middleware-subrequest': subrequest } });
      expect(home.status()).toBe(200);
      expect(home.headers()['content-security-policy']).toMatch(/script-src 'self' 'nonce-/);
      // Without a token, every protected page still goes to sign-in and renders nothing of its own.
      for (const path of PROTECTED_PAGES) {
        const response = await request.get(path, { maxRedirects: 0, headers: { 'x-middleware-subrequest': subrequest } });
        expect(response.status(), path).toBe(307);
        expect(new URL(response.headers().location, baseURL).pathname).toBe('/login');
      }
      // And the API: 401, never the handler's answer.
      const me = await request.get('/api/me', { headers: { 'x-middleware-subrequest': subrequest } });
      expect(me.status()).toBe(401);
      // A cross-site POST to a page (a server action) is still refused before Next.js reads it.
      const post = await request.post('/payments', {
        headers: { 'x-middleware-subrequest': subrequest, Origin: 'https://evil.example', 'Content-Type': 'text/plain' },
        data: 'x',
      });
      expect(post.status()).toBe(403);
    });
  }
});

test.describe('a token of a signed-out session on a real server: reads until expiry (by design)', () => {
  test('after logout a copied access token still reads /api/me and /dashboard; its refresh token is dead', async ({ playwright, baseURL }) => {
    const browser = await playwright.request.newContext({ baseURL });
    const victim = await aliceSession(browser, baseURL!);
    const refreshCookie = (await browser.storageState()).cookies.find((c) => c.name === '__Secure-refresh_token')!.value;
    expect((await browser.post('/api/auth/logout', { headers: { Origin: baseURL! } })).status()).toBe(200);
    await browser.dispose();

    const thief = { Cookie: `${ACCESS}=${victim.token}` };
    const me = await playwright.request.newContext({ baseURL });
    const read = await me.get('/api/me', { headers: thief });
    expect(read.status()).toBe(200);
    expect((await read.json()).session.id).toBe(victim.claims.sid);
    expect((await me.get('/dashboard', { maxRedirects: 0, headers: thief })).status()).toBe(200);
    const renewal = await me.post('/api/auth/refresh', { headers: { Origin: baseURL!, Cookie: `__Secure-refresh_token=${refreshCookie}` } });
    expect(renewal.status()).toBe(401);
    await me.dispose();
  });
});
