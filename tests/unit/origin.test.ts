/**
 * The anti-forgery gate of every state-changing route handler and sensitive action (ASVS 3.5.3).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';

process.env.ACCESS_TOKEN_KEYS = `k:${randomBytes(32).toString('base64url')}`;
const { isSameOriginRequest } = await import('../../lib/http/origin');

const request = (headers: Record<string, string>) => new Headers(headers);

describe('isSameOriginRequest without APP_URL', () => {
  test('accepts the origin of the host the request was sent to', () => {
    assert.equal(isSameOriginRequest(request({ host: 'localhost:3000', origin: 'http://localhost:3000' })), true);
  });
  test('refuses another site', () => {
    assert.equal(isSameOriginRequest(request({ host: 'localhost:3000', origin: 'https://evil.example' })), false);
  });
  test('refuses another port of the same host', () => {
    assert.equal(isSameOriginRequest(request({ host: 'localhost:3000', origin: 'http://localhost:4000' })), false);
  });
  test('refuses a sibling subdomain (SameSite=Lax would let it through)', () => {
    assert.equal(isSameOriginRequest(request({ host: 'app.example.com', origin: 'https://evil.example.com' })), false);
  });
  test('refuses a missing Origin', () => {
    assert.equal(isSameOriginRequest(request({ host: 'localhost:3000' })), false);
  });
  test('refuses Origin: null (sandboxed iframes, GHSA-mq59-m269-xvcx)', () => {
    assert.equal(isSameOriginRequest(request({ host: 'localhost:3000', origin: 'null' })), false);
  });
  test('refuses a malformed Origin', () => {
    assert.equal(isSameOriginRequest(request({ host: 'localhost:3000', origin: 'localhost:3000' })), false);
  });
  test('honours X-Forwarded-Host from a reverse proxy', () => {
    assert.equal(
      isSameOriginRequest(request({ host: 'app:3000', 'x-forwarded-host': 'sessions.example.com', origin: 'https://sessions.example.com' })),
      true,
    );
  });
});

describe('isSameOriginRequest with APP_URL', () => {
  const appUrl = 'https://sessions.example.com';
  test('accepts exactly the configured origin, whatever the Host header says', () => {
    assert.equal(isSameOriginRequest(request({ host: 'internal:3000', origin: 'https://sessions.example.com' }), appUrl), true);
  });
  test('refuses the same host over another scheme', () => {
    assert.equal(isSameOriginRequest(request({ host: 'sessions.example.com', origin: 'http://sessions.example.com' }), appUrl), false);
  });
  test('refuses an origin that only matches the Host header', () => {
    assert.equal(isSameOriginRequest(request({ host: 'internal:3000', origin: 'http://internal:3000' }), appUrl), false);
  });
});
