/**
 * TRUST_PROXY as a list of the proxy's addresses (lib/request/trusted-proxy.ts): forwarding headers
 * count only on requests whose TCP peer is the proxy. Real sockets on loopback: 127.0.0.2 plays the
 * reverse proxy (as nginx does in `npm run cluster`, `proxy_bind 127.0.0.2`), 127.0.0.1 a client that
 * reaches the instance directly and writes its own forwarding headers.
 *
 *   node --conditions=react-server --import tsx --test tests/unit/trusted-proxy.test.ts
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ConfigError, parseConfig } from '../../lib/config/config';
import { installPeerAddressHook } from '../../lib/request/request-context-hook';
import { clientIp } from '../../lib/request/request-meta';
import { expectedOrigin, isSameOriginRequest } from '../../lib/request/origin';
import { canonicalIp, forwardingHeadersTrusted } from '../../lib/request/trusted-proxy';

const KEYS = `k1:${Buffer.alloc(32, 7).toString('base64url')}`;
// The configured path (getConfig) is exercised too: the proxy's address, no APP_URL.
process.env.ACCESS_TOKEN_KEYS = KEYS;
process.env.TRUST_PROXY = '127.0.0.2';
delete process.env.APP_URL;
const trustProxyOf = (value: string) => parseConfig({ ACCESS_TOKEN_KEYS: KEYS, TRUST_PROXY: value }).TRUST_PROXY;

describe('TRUST_PROXY is parsed as a flag or as the proxy\'s addresses', () => {
  test('true / false / 1 / 0 keep their meaning, and the default trusts nobody', () => {
    assert.equal(trustProxyOf('true'), true);
    assert.equal(trustProxyOf('1'), true);
    assert.equal(trustProxyOf('false'), false);
    assert.equal(trustProxyOf('0'), false);
    assert.equal(parseConfig({ ACCESS_TOKEN_KEYS: KEYS }).TRUST_PROXY, false);
  });

  test('a comma-separated list becomes canonical addresses, so they compare with what a socket reports', () => {
    assert.deepEqual(trustProxyOf('127.0.0.2'), ['127.0.0.2']);
    assert.deepEqual(trustProxyOf(' 10.0.0.5 , 2001:DB8::0001,::ffff:10.0.0.6, 10.0.0.5'), ['10.0.0.5', '2001:db8::1', '10.0.0.6']);
  });

  for (const bad of ['on', 'yes', '10.0.0.0/8', '10.0.0.256', '010.0.0.1', 'proxy.internal', '127.0.0.2,nginx', ',']) {
    test(`refuses ${JSON.stringify(bad)} with one line naming the variable`, () => {
      assert.throws(
        () => trustProxyOf(bad),
        (error) => error instanceof ConfigError && /TRUST_PROXY must be true, false, or the proxy's IP addresses/.test(error.message),
      );
    });
  }

  test('canonicalIp: IPv4-mapped, bracketed and long IPv6 forms are one address; non-addresses are null', () => {
    assert.equal(canonicalIp('::ffff:127.0.0.2'), '127.0.0.2');
    assert.equal(canonicalIp('::ffff:7f00:2'), '127.0.0.2');
    assert.equal(canonicalIp('[::1]'), '::1');
    assert.equal(canonicalIp('0:0:0:0:0:0:0:1'), '::1');
    assert.equal(canonicalIp('1.2.3'), null);
    assert.equal(canonicalIp('example.com'), null);
    assert.equal(canonicalIp(''), null);
  });
});

/** The headers a route handler sees for a request sent from `localAddress`, stamped by the real hook. */
let server: http.Server;
let port: number;
let lastHeaders: Headers;

before(async () => {
  installPeerAddressHook();
  server = http.createServer((req, res) => {
    lastHeaders = new Headers(Object.entries(req.headers).map(([name, value]): [string, string] => [name, String(value)]));
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function headersFrom(localAddress: string, headers: Record<string, string>): Promise<Headers> {
  await new Promise<void>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, localAddress, path: '/', headers, agent: false }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end();
  });
  return lastHeaders;
}

const PROXY = ['127.0.0.2'] as const;

describe('with TRUST_PROXY=<proxy address>, forwarding headers count only from the proxy', () => {
  test('through the proxy: the right-most X-Forwarded-For entry (the address the proxy saw) is the client', async () => {
    const headers = await headersFrom('127.0.0.2', { 'x-forwarded-for': '203.0.113.7, 192.0.2.44' });
    assert.equal(forwardingHeadersTrusted(headers, PROXY), true);
    assert.equal(clientIp(headers, PROXY), '192.0.2.44');
  });

  test('a client reaching the instance directly with a forged X-Forwarded-For is recorded by its socket address', async () => {
    const headers = await headersFrom('127.0.0.1', { 'x-forwarded-for': '192.0.2.44' });
    assert.equal(forwardingHeadersTrusted(headers, PROXY), false);
    assert.equal(clientIp(headers, PROXY), '127.0.0.1');
    // The same request under TRUST_PROXY=true would have been believed: that is what the list closes.
    assert.equal(clientIp(headers, true), '192.0.2.44');
  });

  test('a request whose peer the hook did not stamp is not from the proxy, whatever it says', () => {
    const forged = new Headers({ 'x-app-peer-address': 'guessed 127.0.0.2', 'x-forwarded-for': '192.0.2.44' });
    assert.equal(forwardingHeadersTrusted(forged, PROXY), false);
    assert.equal(clientIp(forged, PROXY), null);
  });

  test('X-Forwarded-Host / -Proto decide the expected origin only on requests from the proxy', async () => {
    const forwarding = { host: 'instance:3001', 'x-forwarded-host': 'sessions.example.com', 'x-forwarded-proto': 'https' };
    const viaProxy = await headersFrom('127.0.0.2', forwarding);
    assert.equal(expectedOrigin(viaProxy, { trustProxy: PROXY }), 'https://sessions.example.com');
    const direct = await headersFrom('127.0.0.1', { ...forwarding, origin: 'https://sessions.example.com' });
    assert.equal(expectedOrigin(direct, { trustProxy: PROXY }), 'http://instance:3001');
    // The configured rule (TRUST_PROXY=127.0.0.2): the direct client's forged headers do not make its
    // Origin ours; the same headers through the proxy do.
    assert.equal(isSameOriginRequest(direct), false);
    assert.equal(isSameOriginRequest(await headersFrom('127.0.0.2', { ...forwarding, origin: 'https://sessions.example.com' })), true);
  });
});
