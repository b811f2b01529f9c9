/**
 * A request's access token is judged as of the request's arrival (lib/request/request-context.ts
 * `judgedAt`), so a token that runs out while the page renders does not turn the render into a redirect.
 *
 * The defect this stops, seen in the end-to-end suite on the 2-second-token server under load: the proxy
 * let a request through with a live token, the token expired before the page (or the page re-rendered by
 * a successful payment's answer) checked it again, and the render's redirect left the browser with the
 * visitor's header, an empty page, and no "Sent" confirmation for a payment that had been made.
 * The arrival time comes from the server's own hook, never from a header a client wrote.
 *
 *   node --conditions=react-server --import tsx --test tests/unit/request-arrival.test.ts
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';

process.env.ACCESS_TOKEN_KEYS = `arrival:${randomBytes(32).toString('base64url')}`;
process.env.ACCESS_TOKEN_TTL_SECONDS = '2';

const { installPeerAddressHook } = await import('../../lib/request/request-context-hook');
const { judgedAt, MAX_REQUEST_AGE_MS, REQUEST_ARRIVAL_HEADER } = await import('../../lib/request/request-context');
const { signAccessToken } = await import('../../lib/tokens/access-token');
const { verifySession } = await import('../../lib/dal');
const { cookieNames } = await import('../../lib/tokens/cookies');

let server: http.Server;
let port: number;
/** Each request's headers as the app sees them, and when the handler looked at them. */
const seen: { headers: Headers; handledAt: Date }[] = [];
/** How long the handler "renders" before it reads the token: the window the defect lived in. */
let renderMs = 0;

before(async () => {
  installPeerAddressHook();
  server = http.createServer((req, res) => {
    setTimeout(() => {
      const headers = new Headers(Object.entries(req.headers).map(([name, value]): [string, string] => [name, String(value)]));
      seen.push({ headers, handledAt: new Date() });
      res.end();
    }, renderMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function send(headers: Record<string, string> = {}): Promise<{ headers: Headers; sentAt: Date; handledAt: Date }> {
  const sentAt = new Date();
  await new Promise<void>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/dashboard', headers }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end();
  });
  return { ...seen.at(-1)!, sentAt };
}

const jarWith = (token: string) => ({
  get: (name: string) => (name === cookieNames().access ? { value: token } : undefined),
  has: (name: string) => name === cookieNames().access,
});

describe('a request is judged as of its arrival', () => {
  test('a token that expires while the request is being handled still reads for that request', async () => {
    // `exp` is whole seconds: sign it to expire 0.4 to 1.4 s from now, and "render" until just past that.
    const expSeconds = Math.ceil((Date.now() + 400) / 1000);
    const { token, expiresAt } = await signAccessToken({ userId: 'u1', email: 'a@example.com', sessionId: 's1' }, new Date((expSeconds - 2) * 1000));
    renderMs = expiresAt.getTime() - Date.now() + 200;
    const { headers, handledAt } = await send();
    renderMs = 0;
    assert.ok(handledAt.getTime() >= expiresAt.getTime(), 'the token has expired by the time the handler reads it');
    assert.equal(await verifySession({ cookies: jarWith(token), now: handledAt }), null, 'judged by the clock, the render would redirect');
    const claims = await verifySession({ cookies: jarWith(token), headers, now: handledAt });
    assert.equal(claims?.sessionId, 's1', 'judged at arrival (what verifySession does in a render), the render reads the session the proxy let through');
  });

  test('the next request, arriving after the expiry, is refused: no token lives longer than its request', async () => {
    const { token, expiresAt } = await signAccessToken({ userId: 'u1', email: 'a@example.com', sessionId: 's1' }, new Date(Date.now() - 2_100));
    assert.ok(Date.now() >= expiresAt.getTime());
    const { headers, handledAt } = await send();
    assert.equal(await verifySession({ cookies: jarWith(token), headers, now: handledAt }), null);
  });

  test('an arrival time written by the client is overwritten by the server\'s own', async () => {
    const { headers, sentAt, handledAt } = await send({ [REQUEST_ARRIVAL_HEADER]: 'guessed-stamp 0' });
    const judged = judgedAt(headers, handledAt).getTime();
    assert.ok(judged >= sentAt.getTime() - 5 && judged <= handledAt.getTime(), `judged at ${judged}, not at the epoch`);
  });

  test('an arrival header the hook did not stamp counts for nothing: the clock decides', () => {
    const now = new Date();
    const forged = new Headers({ [REQUEST_ARRIVAL_HEADER]: `guessed-stamp ${now.getTime() - 10_000}` });
    assert.equal(judgedAt(forged, now).getTime(), now.getTime());
  });

  test(`a request older than ${MAX_REQUEST_AGE_MS} ms, or stamped in the future, is judged by the clock`, async () => {
    const { headers, handledAt } = await send();
    const arrival = judgedAt(headers, handledAt).getTime();
    const muchLater = new Date(arrival + MAX_REQUEST_AGE_MS + 1);
    assert.equal(judgedAt(headers, muchLater).getTime(), muchLater.getTime());
    const before = new Date(arrival - 1);
    assert.equal(judgedAt(headers, before).getTime(), before.getTime());
  });
});

describe('a request with a body has arrived only once its body has (a held-back body stretches nothing)', () => {
  /** A server that reads the whole body, then reports the headers as the page would see them. */
  async function postWithHeldBody(holdMs: number): Promise<{ headersSentAt: number; bodyEndedAt: number; judged: number; readAt: Date }> {
    const reader = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const headers = new Headers(Object.entries(req.headers).map(([name, value]): [string, string] => [name, String(value)]));
        const readAt = new Date();
        res.end(JSON.stringify({ judged: judgedAt(headers, readAt).getTime(), readAt: readAt.getTime() }));
      });
    });
    await new Promise<void>((resolve) => reader.listen(0, '127.0.0.1', resolve));
    try {
      const { port: readerPort } = reader.address() as AddressInfo;
      const headersSentAt = Date.now();
      let bodyEndedAt = 0;
      const answer = await new Promise<string>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port: readerPort, method: 'POST', path: '/payments', headers: { 'content-length': '10' } }, (res) => {
          let text = '';
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
        req.write('01234');
        setTimeout(() => {
          bodyEndedAt = Date.now();
          req.end('56789');
        }, holdMs);
      });
      const { judged, readAt } = JSON.parse(answer) as { judged: number; readAt: number };
      return { headersSentAt, bodyEndedAt, judged, readAt: new Date(readAt) };
    } finally {
      await new Promise<void>((resolve) => reader.close(() => resolve()));
    }
  }

  test('held-back body: a POST whose body arrives 1.5 s after its headers is judged as of its body’s end, never of its headers', async () => {
    const { headersSentAt, bodyEndedAt, judged } = await postWithHeldBody(1_500);
    assert.ok(bodyEndedAt - headersSentAt >= 1_500);
    assert.ok(judged >= bodyEndedAt - 5, `judged at ${judged - headersSentAt} ms after the headers; the body ended at ${bodyEndedAt - headersSentAt} ms`);
  });
});

describe('a post to a page is handed the instant its body had arrived (proxy.ts)', () => {
  // The page sees the headers the proxy forwards, taken before the body ended, so the hook's own stamp
  // for a request with a body never reaches it. Without one, a page re-rendered by a successful action
  // judged its token by the clock, and a token that ran out meanwhile turned the render into a redirect:
  // the payment's "Sent" confirmation was lost (seen in the end-to-end suite on the 2-second server).
  test('the proxy waits for the body, then stamps the forwarded request with that instant', async () => {
    const { proxy } = await import('../../proxy');
    const { NextRequest } = await import('next/server');
    let bodyEndedAt = 0;
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(new TextEncoder().encode('amount=1'));
        await new Promise((resolve) => setTimeout(resolve, 300));
        bodyEndedAt = Date.now();
        controller.close();
      },
    });
    const init = {
      method: 'POST',
      headers: { host: 'localhost:3000', origin: 'http://localhost:3000', 'content-type': 'application/x-www-form-urlencoded' },
      body,
      duplex: 'half', // a streamed body (undici requires it; not in the DOM's RequestInit type)
    };
    const request = new NextRequest('http://localhost:3000/payments', init as ConstructorParameters<typeof NextRequest>[1]);
    const response = await proxy(request);
    const forwarded = response.headers.get(`x-middleware-request-${REQUEST_ARRIVAL_HEADER}`);
    assert.ok(forwarded, 'the page is handed an arrival time');
    const now = new Date();
    const judged = judgedAt(new Headers({ [REQUEST_ARRIVAL_HEADER]: forwarded }), now).getTime();
    assert.ok(bodyEndedAt > 0 && judged >= bodyEndedAt, `judged ${judged - bodyEndedAt} ms after the body ended: never before it`);
    assert.ok(judged <= now.getTime());
  });
});
