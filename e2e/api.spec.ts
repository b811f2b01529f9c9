/**
 * The route handlers' contract, as any HTTP client (or attacker) sees it from outside.
 */
import { randomUUID } from 'node:crypto';
import { createAccount, DEMO_PASSWORD, expect, test } from './support/fixtures';

test.describe('POST /api/auth/login', () => {
  test('signs in with JSON and sets both cookies', async ({ request, baseURL }) => {
    const response = await request.post('/api/auth/login', {
      data: { email: 'alice@example.com', password: DEMO_PASSWORD },
      headers: { Origin: baseURL! },
    });
    expect(response.status()).toBe(200);
    const body = await response.json();
    expect(body.user.email).toBe('alice@example.com');
    expect(Date.parse(body.accessTokenExpiresAt)).toBeGreaterThan(Date.now());
    const setCookies = response.headersArray().filter((h) => h.name.toLowerCase() === 'set-cookie').map((h) => h.value);
    const access = setCookies.find((c) => c.startsWith('__Host-access_token='));
    expect(access).toMatch(/HttpOnly/i);
    expect(access).toMatch(/Secure/i);
    expect(access).toMatch(/SameSite=lax/i);
    expect(access).toMatch(/Max-Age=300\b/);
    expect(setCookies.find((c) => c.startsWith('__Secure-refresh_token='))).toMatch(/Path=\/api\/auth/);
  });

  test('a wrong password and an unknown email get the same 401', async ({ request, baseURL }) => {
    const wrong = await request.post('/api/auth/login', {
      data: { email: 'bob@example.com', password: 'definitely not it' },
      headers: { Origin: baseURL! },
    });
    const unknown = await request.post('/api/auth/login', {
      data: { email: `nobody-${randomUUID()}@example.com`, password: 'definitely not it' },
      headers: { Origin: baseURL! },
    });
    expect(wrong.status()).toBe(401);
    expect(unknown.status()).toBe(401);
    expect(await wrong.json()).toEqual({ error: 'Invalid email or password' });
    expect(await unknown.json()).toEqual({ error: 'Invalid email or password' });
  });

  test('malformed JSON and invalid fields are 400 with field errors', async ({ request, baseURL }) => {
    const malformed = await request.post('/api/auth/login', {
      data: Buffer.from('{"email": '),
      headers: { Origin: baseURL!, 'Content-Type': 'application/json' },
    });
    expect(malformed.status()).toBe(400);
    expect((await malformed.json()).error).toMatch(/valid JSON/);

    const invalid = await request.post('/api/auth/login', {
      data: { email: 'not-an-email', password: '' },
      headers: { Origin: baseURL! },
    });
    expect(invalid.status()).toBe(400);
    const body = await invalid.json();
    expect(body.fieldErrors.email).toBeDefined();
    expect(body.fieldErrors.password).toBeDefined();
  });

  test('repeated failures for one email get 429 with Retry-After, even with the right password', async ({
    request,
    baseURL,
  }) => {
    const account = await createAccount(request, baseURL!);
    for (let i = 0; i < 5; i++) {
      const response = await request.post('/api/auth/login', {
        data: { email: account.email, password: `wrong guess ${i}` },
        headers: { Origin: baseURL! },
      });
      expect(response.status()).toBe(401);
    }
    const blocked = await request.post('/api/auth/login', {
      data: { email: account.email, password: account.password },
      headers: { Origin: baseURL! },
    });
    expect(blocked.status()).toBe(429);
    const retryAfter = Number(blocked.headers()['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(900);
  });
});

test.describe('cross-origin requests to state-changing handlers are refused (ASVS 3.5.3)', () => {
  for (const path of ['/api/auth/login', '/api/auth/signup', '/api/auth/logout', '/api/auth/refresh']) {
    for (const [label, headers] of [
      ['another origin', { Origin: 'https://evil.example' }],
      ['Origin: null', { Origin: 'null' }],
      ['no Origin', {}],
    ] as const) {
      test(`${path} with ${label}`, async ({ request }) => {
        const response = await request.post(path, {
          data: { email: 'alice@example.com', password: DEMO_PASSWORD },
          headers,
        });
        expect(response.status()).toBe(403);
        expect(response.headers()['set-cookie']).toBeUndefined();
      });
    }
  }
});

test.describe('GET /api/me', () => {
  test('answers 401 JSON without a token', async ({ request }) => {
    const response = await request.get('/api/me');
    expect(response.status()).toBe(401);
    expect(await response.json()).toEqual({ error: 'Not signed in' });
  });

  test('answers from the access token', async ({ request, baseURL }) => {
    const login = await request.post('/api/auth/login', {
      data: { email: 'alice@example.com', password: DEMO_PASSWORD },
      headers: { Origin: baseURL! },
    });
    const { user } = await login.json();
    const me = await request.get('/api/me');
    expect(me.status()).toBe(200);
    const body = await me.json();
    expect(body.user).toEqual(user);
    expect(typeof body.session.id).toBe('string');
    expect(Date.parse(body.session.accessTokenExpiresAt)).toBeGreaterThan(Date.now());
  });

  test('a forged token is refused', async ({ request }) => {
    const response = await request.get('/api/me', {
      headers: { Cookie: '__Host-access_token=eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0.eyJzdWIiOiJ4In0.' },
    });
    expect(response.status()).toBe(401);
  });
});

test('signup answers an existing email exactly like a new one', async ({ request, baseURL }) => {
  const fresh = await request.post('/api/auth/signup', {
    data: { email: `fresh-${randomUUID()}@example.com`, password: 'a perfectly fine password' },
    headers: { Origin: baseURL! },
  });
  const existing = await request.post('/api/auth/signup', {
    data: { email: 'alice@example.com', password: 'a perfectly fine password' },
    headers: { Origin: baseURL! },
  });
  expect(existing.status()).toBe(fresh.status());
  expect(await existing.json()).toEqual(await fresh.json());
  // And nothing changed for alice: her own password still works.
  const login = await request.post('/api/auth/login', {
    data: { email: 'alice@example.com', password: DEMO_PASSWORD },
    headers: { Origin: baseURL! },
  });
  expect(login.status()).toBe(200);
});

test('logout is idempotent and kills the refresh token at once', async ({ request, baseURL }) => {
  const account = await createAccount(request, baseURL!);
  await request.post('/api/auth/login', { data: account, headers: { Origin: baseURL! } });
  const copied = (await request.storageState()).cookies.find((c) => c.name.includes('refresh'))!;
  const first = await request.post('/api/auth/logout', { headers: { Origin: baseURL! } });
  expect(first.status()).toBe(200);
  const second = await request.post('/api/auth/logout', { headers: { Origin: baseURL! } });
  expect(second.status()).toBe(200);
  // A copy of the refresh cookie taken before logout is dead too.
  const refresh = await request.post('/api/auth/refresh', {
    headers: { Origin: baseURL!, Cookie: `${copied.name}=${copied.value}` },
  });
  expect(refresh.status()).toBe(401);
});
