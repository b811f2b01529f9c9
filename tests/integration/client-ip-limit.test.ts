/**
 * A per-client-IP limit on sign-in and signup, with the IP taken from the socket unless
 * TRUST_PROXY says a proxy in front sets X-Forwarded-For. Real http servers on an ephemeral port show
 * what `next start` hands a handler (it keeps a client's own X-Forwarded-For), and what the app reads.
 *
 *   node --conditions=react-server --import tsx --import ./tests/helpers/integration-setup.ts --test tests/integration/client-ip-limit.test.ts
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';
import { createUser, PASSWORD, secondsLater } from '../helpers/fixtures';

// Small limits for this file; configuration is parsed on first use, after this line.
process.env.SIGNIN_IP_MAX_FAILURES = '3';
process.env.SIGNIN_IP_WINDOW_SECONDS = '900';
process.env.SIGNUP_IP_MAX_ATTEMPTS = '2';
process.env.SIGNUP_IP_WINDOW_SECONDS = '3600';

import { db } from '../../lib/db/client';
import { installPeerAddressHook, PEER_ADDRESS_HEADER } from '../../lib/request/request-context-hook';
import { ipLimitSubject } from '../../lib/limits/rate-limit';
import { requestMeta } from '../../lib/request/request-meta';
import { signIn } from '../../lib/auth/sign-in';
import { signUp } from '../../lib/auth/sign-up';
import { tooManySignups } from '../../lib/forms/messages';

useTestDatabase();

/** What the app decides for a request sent over a real socket, the way `next start` passes headers on. */
let server: http.Server;
let port: number;
const seen: { headers: http.IncomingHttpHeaders }[] = [];

before(async () => {
  installPeerAddressHook();
  server = http.createServer((req, res) => {
    // next/dist/server/base-server.js: `req.headers['x-forwarded-for'] ??= socket.remoteAddress`
    req.headers['x-forwarded-for'] ??= req.socket.remoteAddress;
    seen.push({ headers: { ...req.headers } });
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function headersOfRequest(headers: Record<string, string>): Promise<Headers> {
  await new Promise<void>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/api/auth/login', method: 'POST', headers }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end();
  });
  const last = seen.at(-1)!.headers;
  return new Headers(Object.entries(last).map(([name, value]): [string, string] => [name, String(value)]));
}

describe('the client IP (lib/request/request-meta.ts)', () => {
  test('a spoofed X-Forwarded-For is ignored without a trusted proxy: the socket address counts', async () => {
    const headers = await headersOfRequest({ 'x-forwarded-for': '203.0.113.7' });
    assert.equal(headers.get('x-forwarded-for'), '203.0.113.7', 'what Next itself passes on: the client\'s value');
    assert.equal(requestMeta(headers, false).ipAddress, '127.0.0.1');
  });

  test('a forged peer-address header is overwritten by the socket\'s address', async () => {
    const headers = await headersOfRequest({ [PEER_ADDRESS_HEADER]: 'guessed-stamp 198.51.100.1' });
    assert.equal(requestMeta(headers, false).ipAddress, '127.0.0.1');
  });

  test('a peer-address header the hook did not write counts as no address at all, never as the client\'s value', () => {
    const forged = new Headers({ [PEER_ADDRESS_HEADER]: 'guessed-stamp 198.51.100.1', 'x-forwarded-for': '198.51.100.2' });
    assert.equal(requestMeta(forged, false).ipAddress, null);
    assert.equal(ipLimitSubject(null), 'unknown-address', 'such requests share one bucket instead of escaping the limit');
  });

  test('with TRUST_PROXY the right-most X-Forwarded-For entry counts, not what the client wrote to its left', async () => {
    const headers = await headersOfRequest({ 'x-forwarded-for': '203.0.113.7, 192.0.2.44' });
    assert.equal(requestMeta(headers, true).ipAddress, '192.0.2.44');
    const direct = await headersOfRequest({});
    assert.equal(requestMeta(direct, true).ipAddress, '127.0.0.1', 'no proxy header: the socket, IPv4-mapped form normalised');
  });

  test('an IPv6 client cannot escape by rotating addresses inside its /64', () => {
    assert.equal(ipLimitSubject('2001:db8:1:2:aaaa::1'), ipLimitSubject('2001:0db8:0001:0002:ffff:1:2:3'));
    assert.notEqual(ipLimitSubject('2001:db8:1:2::1'), ipLimitSubject('2001:db8:1:3::1'));
    assert.equal(ipLimitSubject('192.0.2.1'), '192.0.2.1');
  });
});

describe('per-client-IP limits', () => {
  const attacker = (ip: string) => ({ ipAddress: ip, userAgent: 'flood' });

  test('a client inventing emails for sign-in is refused after SIGNIN_IP_MAX_FAILURES, before any hashing', async () => {
    const now = new Date('2026-04-01T10:00:00Z');
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(await signIn(`random-${randomUUID()}@example.com`, 'guess', attacker('198.51.100.10'), now), {
        ok: false,
        reason: 'invalid_credentials',
      });
    }
    const eventsBefore = await db().securityEvent.count();
    const refused = await signIn(`random-${randomUUID()}@example.com`, 'guess', attacker('198.51.100.10'), secondsLater(now, 60));
    assert.deepEqual(refused, { ok: false, reason: 'throttled', retryAfterSeconds: 840 });
    assert.equal(await db().securityEvent.count(), eventsBefore, 'a refused attempt writes no event');

    // Even the right password of a real account waits: the limit is the client's, not the account's.
    const user = await createUser();
    const blocked = await signIn(user.email, PASSWORD, attacker('198.51.100.10'), secondsLater(now, 61));
    assert.ok(!blocked.ok && blocked.reason === 'throttled');
    // Another client is not affected.
    assert.ok((await signIn(user.email, PASSWORD, attacker('198.51.100.11'), secondsLater(now, 62))).ok);
  });

  test('successful sign-ins do not count toward the IP limit (many people behind one NAT address)', async () => {
    const now = new Date('2026-04-02T10:00:00Z');
    const user = await createUser();
    for (let i = 0; i < 10; i++) assert.ok((await signIn(user.email, PASSWORD, attacker('198.51.100.20'), now)).ok);
    for (let i = 0; i < 3; i++) await signIn(user.email, 'wrong', attacker('198.51.100.20'), now);
    const refused = await signIn(user.email, PASSWORD, attacker('198.51.100.20'), now);
    assert.ok(!refused.ok && refused.reason === 'throttled');
  });

  test('a signup flood from one client is refused after SIGNUP_IP_MAX_ATTEMPTS, and creates nothing', async () => {
    const now = new Date('2026-04-03T10:00:00Z');
    assert.deepEqual(await signUp(`flood-${randomUUID()}@example.com`, 'a long enough password', attacker('198.51.100.30'), now), { ok: true });
    const existing = await createUser();
    assert.deepEqual(await signUp(existing.email, 'a long enough password', attacker('198.51.100.30'), now), { ok: true });
    const usersBefore = await db().user.count();
    const eventsBefore = await db().securityEvent.count();
    const email = `flood-${randomUUID()}@example.com`;
    assert.deepEqual(await signUp(email, 'a long enough password', attacker('198.51.100.30'), secondsLater(now, 600)), {
      ok: false,
      reason: 'throttled',
      retryAfterSeconds: 3_000,
    });
    assert.equal(await db().user.count(), usersBefore);
    assert.equal(await db().securityEvent.count(), eventsBefore);
    assert.deepEqual(await signUp(email, 'a long enough password', attacker('198.51.100.31'), now), { ok: true });
  });

  test('the signup route answers the flood with 429 and Retry-After', async () => {
    const { POST } = await import('../../app/api/auth/signup/route');
    const { apiRequest } = await import('../helpers/http');
    // Route handlers see no hook-stamped address here: such requests share one bucket.
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 3; i++) {
      last = await POST(apiRequest('/api/auth/signup', { method: 'POST', body: { email: `route-${randomUUID()}@example.com`, password: 'a long enough password' } }));
      statuses.push(last.status);
    }
    assert.deepEqual(statuses, [201, 201, 429]);
    assert.match(last!.headers.get('retry-after') ?? '', /^\d+$/);
    const wait = Number(last!.headers.get('retry-after'));
    assert.deepEqual(await last!.json(), { error: tooManySignups(wait) });
    assert.match(tooManySignups(wait), /^Too many sign-up attempts\. Try again in \d+ (minutes?|seconds?)\.$/);
  });
});
