/**
 * The anti-forgery gate of every state-changing route handler, sensitive action and (in the proxy)
 * every post to a page (ASVS 3.5.3). Origins are compared whole: scheme, host and port (RFC 6454).
 * Forwarding headers count only when TRUST_PROXY says a reverse proxy in front writes them.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';

process.env.ACCESS_TOKEN_KEYS = `k:${randomBytes(32).toString('base64url')}`;
delete process.env.APP_URL;
delete process.env.TRUST_PROXY;
const { isSameOriginRequest } = await import('../../lib/request/origin');
const { isServedOverHttps } = await import('../../lib/request/origin');

const request = (headers: Record<string, string>) => new Headers(headers);
const direct = { appUrl: undefined, trustProxy: false };
const behindProxy = { appUrl: undefined, trustProxy: true };

describe('isSameOriginRequest without APP_URL, no trusted proxy', () => {
  test('accepts the origin of the host the request was sent to', () => {
    assert.equal(isSameOriginRequest(request({ host: 'localhost:3000', origin: 'http://localhost:3000' }), direct), true);
  });
  test('the default configuration (TRUST_PROXY unset) behaves the same', () => {
    assert.equal(isSameOriginRequest(request({ host: 'localhost:3000', origin: 'http://localhost:3000' })), true);
    assert.equal(
      isSameOriginRequest(request({ host: 'app:3000', 'x-forwarded-host': 'evil.example', origin: 'http://evil.example' })),
      false,
    );
  });
  test('refuses another site', () => {
    assert.equal(isSameOriginRequest(request({ host: 'localhost:3000', origin: 'https://evil.example' }), direct), false);
  });
  test('refuses another port of the same host', () => {
    assert.equal(isSameOriginRequest(request({ host: 'localhost:3000', origin: 'http://localhost:4000' }), direct), false);
  });
  test('refuses the default port when the app was reached on another one', () => {
    assert.equal(isSameOriginRequest(request({ host: 'localhost:3000', origin: 'http://localhost' }), direct), false);
  });
  test('refuses the same host and port over another scheme (the scheme is part of the origin)', () => {
    // next start serves plain http: an https page of the same host:port is another origin.
    assert.equal(isSameOriginRequest(request({ host: 'localhost:3000', origin: 'https://localhost:3000' }), direct), false);
  });
  test('refuses a sibling subdomain (SameSite=Lax would let it through)', () => {
    assert.equal(isSameOriginRequest(request({ host: 'app.example.com', origin: 'https://evil.example.com' }), direct), false);
  });
  test('refuses a missing Origin', () => {
    assert.equal(isSameOriginRequest(request({ host: 'localhost:3000' }), direct), false);
  });
  test('refuses Origin: null (sandboxed iframes, GHSA-mq59-m269-xvcx)', () => {
    assert.equal(isSameOriginRequest(request({ host: 'localhost:3000', origin: 'null' }), direct), false);
  });
  test('refuses a malformed Origin', () => {
    assert.equal(isSameOriginRequest(request({ host: 'localhost:3000', origin: 'localhost:3000' }), direct), false);
  });
  test('refuses when the Host header is not a bare host', () => {
    assert.equal(isSameOriginRequest(request({ host: 'evil.example/x', origin: 'http://evil.example' }), direct), false);
  });
  test('X-Forwarded-Host spoofing: a forged header does not choose the origin compared with', () => {
    assert.equal(
      isSameOriginRequest(request({ host: 'localhost:3000', 'x-forwarded-host': 'evil.example', origin: 'http://evil.example' }), direct),
      false,
    );
  });
  test('X-Forwarded-Proto spoofing: a forged https does not turn an https origin into ours', () => {
    assert.equal(
      isSameOriginRequest(request({ host: 'localhost:3000', 'x-forwarded-proto': 'https', origin: 'https://localhost:3000' }), direct),
      false,
    );
  });
});

describe('isSameOriginRequest behind a trusted proxy (TRUST_PROXY=true)', () => {
  test('honours X-Forwarded-Host and X-Forwarded-Proto from the proxy', () => {
    const headers = { host: 'app:3000', 'x-forwarded-host': 'sessions.example.com', 'x-forwarded-proto': 'https' };
    assert.equal(isSameOriginRequest(request({ ...headers, origin: 'https://sessions.example.com' }), behindProxy), true);
  });
  test('an http:// origin is refused when the proxy says the site is https', () => {
    const headers = { host: 'app:3000', 'x-forwarded-host': 'sessions.example.com', 'x-forwarded-proto': 'https' };
    assert.equal(isSameOriginRequest(request({ ...headers, origin: 'http://sessions.example.com' }), behindProxy), false);
  });
  test('takes the first (client-nearest) value of a list', () => {
    const headers = { host: 'app:3000', 'x-forwarded-host': 'sessions.example.com, app:3000', 'x-forwarded-proto': 'https, http' };
    assert.equal(isSameOriginRequest(request({ ...headers, origin: 'https://sessions.example.com' }), behindProxy), true);
  });
  test('still refuses another site', () => {
    const headers = { host: 'app:3000', 'x-forwarded-host': 'sessions.example.com', 'x-forwarded-proto': 'https' };
    assert.equal(isSameOriginRequest(request({ ...headers, origin: 'https://evil.example' }), behindProxy), false);
  });
  // Only `http` and `https` are taken from X-Forwarded-Proto.
  test('a proxy forwarding a bogus scheme: an opaque Origin (foo://…) never matches an opaque expected origin', () => {
    const bogus = { host: 'app.example.com', 'x-forwarded-proto': 'foo', origin: 'bar://evil.example' };
    assert.equal(isSameOriginRequest(request(bogus), behindProxy), false);
    const javascript = { host: 'app.example.com', 'x-forwarded-proto': 'javascript', origin: 'data://x' };
    assert.equal(isSameOriginRequest(request(javascript), behindProxy), false);
  });
});

describe('isSameOriginRequest with APP_URL', () => {
  const appUrl = 'https://sessions.example.com';
  const configured = { appUrl, trustProxy: false };
  test('accepts exactly the configured origin, whatever the Host header says', () => {
    assert.equal(isSameOriginRequest(request({ host: 'internal:3000', origin: 'https://sessions.example.com' }), configured), true);
  });
  test('an http:// origin is refused by an https app', () => {
    assert.equal(isSameOriginRequest(request({ host: 'sessions.example.com', origin: 'http://sessions.example.com' }), configured), false);
  });
  test('refuses another port of the configured host', () => {
    assert.equal(isSameOriginRequest(request({ host: 'sessions.example.com', origin: 'https://sessions.example.com:8443' }), configured), false);
  });
  test('refuses an origin that only matches the Host header', () => {
    assert.equal(isSameOriginRequest(request({ host: 'internal:3000', origin: 'http://internal:3000' }), configured), false);
  });
  test('forwarding headers cannot override APP_URL, even behind a trusted proxy', () => {
    const headers = { host: 'internal:3000', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' };
    assert.equal(isSameOriginRequest(request({ ...headers, origin: 'https://evil.example' }), { appUrl, trustProxy: true }), false);
  });
});

describe('isServedOverHttps (decides HSTS)', () => {
  test('plain-http localhost is never https', () => {
    assert.equal(isServedOverHttps(request({ host: 'localhost:3000' }), direct), false);
  });
  test('a forged X-Forwarded-Proto does not count without a trusted proxy', () => {
    assert.equal(isServedOverHttps(request({ host: 'localhost:3000', 'x-forwarded-proto': 'https' }), direct), false);
  });
  test('a trusted proxy saying https counts', () => {
    assert.equal(isServedOverHttps(request({ host: 'app:3000', 'x-forwarded-proto': 'https' }), behindProxy), true);
  });
  test('an https APP_URL counts; an http one does not', () => {
    assert.equal(isServedOverHttps(request({ host: 'app:3000' }), { appUrl: 'https://sessions.example.com', trustProxy: false }), true);
    assert.equal(isServedOverHttps(request({ host: 'app:3000' }), { appUrl: 'http://localhost:3000', trustProxy: false }), false);
  });
});
