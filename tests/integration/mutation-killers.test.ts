/**
 * Tests added by a mutation pass (tests must fail when a protection is removed): each one
 * stops an attack that no other unit test noticed when the check against it was removed or weakened.
 * The comment above each test names the check it pins.
 *
 *   node --conditions=react-server --import tsx --test tests/integration/mutation-killers.test.ts
 */
import { useTestDatabase } from '../helpers/database';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { forgeAccessToken } from '../helpers/forge-token';
import { SignJWT, base64url } from 'jose';
import { NextRequest } from 'next/server';
import { meta, secondsLater, signedInUser } from '../helpers/fixtures';
import { apiRequest, setCookies } from '../helpers/http';
import { db } from '../../lib/db/client';
import { signOut } from '../../lib/auth/sign-out';
import {
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_ISSUER,
  verifyAccessToken,
} from '../../lib/tokens/access-token';
import { cookieNames } from '../../lib/tokens/cookies';
import { isSameOriginRequest } from '../../lib/request/origin';
import { renewalPath, safeNextPath } from '../../lib/request/redirects';
import { deriveSuccessorToken, generateRefreshToken, hashRefreshToken } from '../../lib/tokens/refresh-token';
import { endSessionsTransaction, replaceSession, revokeSession } from '../../lib/session/session-store';
import { POST as refresh } from '../../app/api/auth/refresh/route';
import { PAGE_POST_MAX_BYTES, proxy } from '../../proxy';

useTestDatabase();

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const names = cookieNames();

/** The signing key the test database helper configured: the first `kid:secret` pair. */
const [signingKid, signingSecret] = (() => {
  const [kid, secret] = process.env.ACCESS_TOKEN_KEYS!.split(',')[0].split(':');
  return [kid, base64url.decode(secret)] as const;
})();

/** A token signed with the app's real key and kid, with every claim right except `claims` says otherwise. */
function signWithAppKey(claims: Record<string, unknown>): Promise<string> {
  return forgeAccessToken(signingSecret, { kid: signingKid, claims });
}

describe('access-token claims beyond the signature', () => {
  // lib/tokens/access-token.ts: `typeof email !== 'string'` (email is not in requiredClaims).
  test('a well-signed token without an email, or with a non-string one, is refused (no claims object with a missing identity)', async () => {
    for (const email of [undefined, 42, ['alice@example.com']]) {
      const token = await signWithAppKey({ email });
      assert.deepEqual(await verifyAccessToken(token), { ok: false, reason: 'invalid' }, JSON.stringify(email));
    }
  });

  // lib/tokens/access-token.ts: `typeof sid !== 'string'` (requiredClaims only checks presence).
  test('a well-signed token whose sid is not a string is refused (no session lookup with a number or object)', async () => {
    for (const sid of [42, { id: 'session-1' }, ['session-1']]) {
      const token = await signWithAppKey({ sid });
      assert.deepEqual(await verifyAccessToken(token), { ok: false, reason: 'invalid' }, JSON.stringify(sid));
    }
  });
});

describe('origin and redirect rules', () => {
  // lib/request/origin.ts: only `http` and `https` are taken from X-Forwarded-Proto.
  test('a proxy forwarding a bogus scheme: an opaque Origin (foo://…) never matches an opaque expected origin', () => {
    const headers = new Headers({ host: 'app.example.com', 'x-forwarded-proto': 'foo', origin: 'bar://evil.example' });
    assert.equal(isSameOriginRequest(headers, { appUrl: undefined, trustProxy: true }), false);
    const javascript = new Headers({ host: 'app.example.com', 'x-forwarded-proto': 'javascript', origin: 'data://x' });
    assert.equal(isSameOriginRequest(javascript, { appUrl: undefined, trustProxy: true }), false);
  });

  // lib/request/redirects.ts: `url.pathname === '/api'` (not only `/api/…`).
  test('a link with next=/api is not followed into the API root after sign-in', () => {
    assert.equal(safeNextPath('/api'), '/dashboard');
    assert.equal(safeNextPath('/api?x=1'), '/dashboard');
  });

  // lib/request/redirects.ts: renewalPath sanitises its own input, like loginPath.
  test('open redirect through the renewal hop: renewalPath never carries an off-site next', () => {
    for (const hostile of ['//evil.example', 'https://evil.example/', '/\\evil.example', '/api/auth/logout']) {
      assert.equal(renewalPath(hostile), '/api/auth/refresh?next=%2Fdashboard', hostile);
    }
  });
});

describe('proxy gates', () => {
  const request = (pathname: string, init: { method?: string; headers?: Record<string, string> } = {}) =>
    new NextRequest(`http://localhost:3000${pathname}`, {
      method: init.method ?? 'GET',
      headers: { host: 'localhost:3000', ...init.headers },
    });

  // proxy.ts: the limit is 64 KiB, the same as next.config.js's own limits for bodies without a length.
  test('oversized server-action body: the declared-length limit is 64 KiB, the same as Next’s own limits', async () => {
    assert.equal(PAGE_POST_MAX_BYTES, 64 * 1024);
    const config = readFileSync(path.join(ROOT, 'next.config.js'), 'utf8');
    assert.match(config, /proxyClientMaxBodySize: '64kb'/);
    assert.match(config, /bodySizeLimit: '64kb'/);
    const response = await proxy(
      request('/login', { method: 'POST', headers: { origin: 'http://localhost:3000', 'content-length': String(64 * 1024 + 1) } }),
    );
    assert.equal(response.status, 413);
  });
});

describe('refresh tokens', () => {
  // lib/tokens/refresh-token.ts: generateRefreshToken draws 256 random bits (ASVS 7.2.3 asks for 128+).
  test('guessing a refresh token: every one of its 32 bytes is random, not only a prefix', () => {
    const tokens = Array.from({ length: 64 }, () => Buffer.from(base64url.decode(generateRefreshToken())));
    for (const token of tokens) assert.equal(token.length, 32);
    for (let position = 0; position < 32; position++) {
      const values = new Set(tokens.map((token) => token[position]));
      // 64 draws of a random byte give one value at a given position with probability 256^-63.
      assert.ok(values.size > 1, `byte ${position} is the same in every token`);
    }
  });

  // lib/tokens/refresh-token.ts: the successor key is HKDF-derived from the server's signing secret.
  test('a thief holding an old refresh token cannot compute its live successor offline: successors depend on the server secret', () => {
    const predecessor = generateRefreshToken();
    const here = deriveSuccessorToken(predecessor);
    const script = `
      const { deriveSuccessorToken } = await import('./lib/tokens/refresh-token.ts');
      console.log(deriveSuccessorToken(${JSON.stringify(predecessor)}));`;
    const otherServer = execFileSync(process.execPath, ['--conditions=react-server', '--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      env: { ...process.env, ACCESS_TOKEN_KEYS: `${signingKid}:${randomBytes(32).toString('base64url')}` },
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .at(-1);
    assert.match(here, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(otherServer, here, 'another secret must give another successor');
  });
});

describe('sessions', () => {
  // lib/session/session-store.ts replaceSession: `expiresAt: { gt: now }`.
  test('a step-up in a session absolute-expired between the check and the write is refused and credits nothing', async () => {
    const signedInAt = new Date(Date.now() - 86_400_000 - 60_000); // past SESSION_ABSOLUTE_TIMEOUT_SECONDS
    const { user, session } = await signedInUser(signedInAt);
    const now = new Date();
    // Active a moment ago, so only the absolute deadline has passed.
    await db().session.update({ where: { id: session.id }, data: { lastActiveAt: secondsLater(now, -10) } });
    const replaced = await endSessionsTransaction((tx) =>
      replaceSession(tx, { sessionId: session.id, userId: user.id }, 'reauthenticated', meta, now),
    );
    assert.equal(replaced, null);
    assert.equal(await db().session.count({ where: { userId: user.id } }), 1, 'no new session');
    assert.equal((await db().session.findUniqueOrThrow({ where: { id: session.id } })).revokedAt, null);
  });

  // lib/auth/sign-out.ts: the access token is verified before the session it names is ended.
  test('logout with a forged access token naming someone else’s session ends no session (no sign-out of others)', async () => {
    const victim = await signedInUser();
    const [header, payload, signature] = victim.accessToken.split('.');
    const unsigned = new SignJWT({ sid: victim.session.id, email: victim.user.email })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: signingKid })
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setSubject(victim.user.id)
      .setJti('forged')
      .setIssuedAt()
      .setExpirationTime('5m');
    const forgedTokens = [
      await unsigned.sign(randomBytes(32)), // another secret under the real kid
      `${header}.${payload}.${signature.slice(0, -4)}${signature.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`, // the victim's claims, a broken signature
    ];
    for (const accessToken of forgedTokens) {
      await signOut({ accessToken }, meta);
      assert.equal((await db().session.findUniqueOrThrow({ where: { id: victim.session.id } })).revokedAt, null);
    }
  });

  // lib/auth/sign-out.ts: at most MAX_REFRESH_VALUES (16) refresh values are looked up.
  test('a Cookie header stuffed with refresh values buys at most 16 lookups', async () => {
    const { session, refreshToken } = await signedInUser();
    const stuffing = Array.from({ length: 16 }, () => generateRefreshToken());
    await signOut({ refreshToken: [...stuffing, refreshToken] }, meta);
    assert.equal(
      (await db().session.findUniqueOrThrow({ where: { id: session.id } })).revokedAt,
      null,
      'the 17th value was looked up',
    );
    await signOut({ refreshToken: [refreshToken] }, meta);
    assert.notEqual((await db().session.findUniqueOrThrow({ where: { id: session.id } })).revokedAt, null);
  });
});

describe('POST /api/auth/refresh after the session ended', () => {
  // REFUSALS (lib/session/rotation-decision.ts): 'revoked', 'idle_expired', 'absolute_expired' clear the cookies.
  test('a browser whose session was signed out elsewhere gets 401 and its cookies cleared (the access token stops reading too)', async () => {
    const { session, refreshToken, accessToken } = await signedInUser();
    await revokeSession(session.id, 'revoked_by_user');
    const response = await refresh(apiRequest('/api/auth/refresh', { cookies: { [names.refresh]: refreshToken, [names.access]: accessToken } }));
    assert.equal(response.status, 401);
    const cookies = setCookies(response);
    for (const name of [names.access, names.refresh, names.hint]) {
      assert.equal(cookies.get(name)?.value, '', `${name} cleared`);
      assert.equal(cookies.get(name)?.attributes['max-age'], '0', `${name} expires now`);
    }
    // The token was not rotated or otherwise touched.
    const row = await db().refreshToken.findUniqueOrThrow({ where: { tokenHash: hashRefreshToken(refreshToken) } });
    assert.equal(row.rotatedAt, null);
  });

  test('an idle-expired session: 401 and cookies cleared', async () => {
    const { refreshToken } = await signedInUser(new Date(Date.now() - 3_600_000 - 60_000));
    const response = await refresh(apiRequest('/api/auth/refresh', { cookies: { [names.refresh]: refreshToken } }));
    assert.equal(response.status, 401);
    assert.equal(setCookies(response).get(names.refresh)?.attributes['max-age'], '0');
  });
});
