/**
 * A renewal is judged as of its arrival, so a busy server does not sign the person out.
 *
 * The false sign-out this stops, seen in the end-to-end suite's four-tab scenario on a loaded machine:
 * four tabs renewed with the same refresh token at once; the winner rotated it, and a sibling that
 * reached the server 0.3 s later waited for its turn until 1.2 s after the rotation, past the 1 s grace
 * window. Judged by the clock when its turn came, it was a replay: the session was revoked, a false
 * `refresh_token_reuse` alarm was raised, and the person landed on the sign-in page. Judged as of its
 * arrival (the server's own stamp, lib/request/request-context-hook.ts), it is the sibling it is.
 *
 * The requests go through a real HTTP server with the app's request hook installed, to the real
 * route handler, on a fresh SQLite database. The server waits before handing a request to the route:
 * the queue a busy server makes.
 *
 *   node --conditions=react-server --import tsx --import ./tests/helpers/integration-setup.ts --test tests/integration/renewal-arrival.test.ts
 */
// database: sqlite-only — the arrival stamp is taken by the request hook; the rotation it feeds runs on PostgreSQL in refresh-rotation.test.ts
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';

process.env.REFRESH_REUSE_GRACE_SECONDS = '1';
const GRACE_MS = 1_000;

const { meta, signedInUser } = await import('../helpers/fixtures');
const { APP_ORIGIN, setCookies } = await import('../helpers/http');
const { installPeerAddressHook } = await import('../../lib/request/request-context-hook');
const { db } = await import('../../lib/db/client');
const { cookieNames } = await import('../../lib/tokens/cookies');
const { rotateRefreshToken } = await import('../../lib/session/rotate-refresh-token');
const { POST: refresh } = await import('../../app/api/auth/refresh/route');
const { NextRequest } = await import('next/server');

useTestDatabase();

let server: http.Server;
let port: number;
/** How long the server keeps a request waiting before the route sees it. */
let queueMs = 0;

before(async () => {
  installPeerAddressHook();
  server = http.createServer((req, res) => {
    setTimeout(async () => {
      const headers = new Headers(Object.entries(req.headers).map(([name, value]): [string, string] => [name, String(value)]));
      const response = await refresh(new NextRequest(new URL(req.url!, APP_ORIGIN), { method: req.method, headers }));
      res.writeHead(response.status, { 'set-cookie': response.headers.getSetCookie() });
      res.end(await response.text());
    }, queueMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** POST /api/auth/refresh as `fetchWithRefresh` sends it: no body, the app's Origin, the refresh cookie. */
async function renew(refreshToken: string): Promise<Response> {
  const { status, headers, body } = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/auth/refresh',
        headers: {
          host: new URL(APP_ORIGIN).host,
          origin: APP_ORIGIN,
          'content-length': '0',
          cookie: `${cookieNames().refresh}=${refreshToken}`,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end();
  });
  const response = new Headers();
  for (const line of headers['set-cookie'] ?? []) response.append('set-cookie', line);
  return new Response(body, { status, headers: response });
}

const reuseEvents = (userId: string) => db().securityEvent.count({ where: { userId, type: 'refresh_token_reuse' } });
const sessionRow = (id: string) => db().session.findUniqueOrThrow({ where: { id } });

describe('a renewal is judged as of its arrival (RFC 9700 4.14.2 reuse detection, not a busy server)', () => {
  test('a sibling that arrived inside the grace window, then waited past it on a busy server, gets the successor: no sign-out', async () => {
    const { user, session, refreshToken } = await signedInUser(new Date(Date.now() - 60_000));
    const winner = await rotateRefreshToken(refreshToken, meta);
    assert.equal(winner.status, 'rotated');
    queueMs = GRACE_MS + 500;
    const sibling = await renew(refreshToken);
    queueMs = 0;

    assert.equal(sibling.status, 200, await sibling.clone().text());
    assert.equal(setCookies(sibling).get(cookieNames().refresh)?.value, winner.status === 'rotated' ? winner.refreshToken.token : '', 'the same successor');
    assert.equal((await sessionRow(session.id)).revokedAt, null);
    assert.equal(await reuseEvents(user.id), 0);
  });

  test('a replay that arrives after the grace window is still a replay: the session ends', async () => {
    const { user, session, refreshToken } = await signedInUser(new Date(Date.now() - 60_000));
    assert.equal((await rotateRefreshToken(refreshToken, meta)).status, 'rotated');
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS + 200));
    const replay = await renew(refreshToken);

    assert.equal(replay.status, 401);
    assert.equal((await sessionRow(session.id)).revokedReason, 'refresh_token_reuse');
    assert.equal(await reuseEvents(user.id), 1);
  });
});
