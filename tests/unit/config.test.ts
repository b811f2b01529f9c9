import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { ConfigError, parseConfig } from '../../lib/config/config';

const key = (kid: string, bytes = 32) => `${kid}:${randomBytes(bytes).toString('base64url')}`;

describe('parseConfig', () => {
  test('fills every documented default', () => {
    const config = parseConfig({ ACCESS_TOKEN_KEYS: key('k1') });
    assert.equal(config.DATABASE_URL, 'file:./prisma/dev.db');
    assert.equal(config.ACCESS_TOKEN_TTL_SECONDS, 300);
    assert.equal(config.SESSION_IDLE_TIMEOUT_SECONDS, 86_400);
    assert.equal(config.SESSION_ABSOLUTE_TIMEOUT_SECONDS, 604_800);
    assert.equal(config.REFRESH_REUSE_GRACE_SECONDS, 10);
    assert.equal(config.REAUTH_MAX_AGE_SECONDS, 600);
    assert.equal(config.LOGIN_MAX_FAILURES, 5);
    assert.equal(config.LOGIN_FAILURE_WINDOW_SECONDS, 900);
    assert.equal(config.COOKIE_SECURE, true);
    assert.equal(config.APP_URL, undefined);
    assert.equal(config.MAX_SESSIONS_PER_USER, 20);
    assert.equal(config.SIGNIN_ACCOUNT_MAX_SUCCESSES, 30);
    assert.equal(config.SIGNIN_IP_MAX_SUCCESSES, 200);
    assert.equal(config.SIGNIN_SUCCESS_WINDOW_SECONDS, 900);
  });

  test('MAX_SESSIONS_PER_USER is a whole number from 1 to 1000; the sign-in limits are positive', () => {
    for (const value of ['0', '-1', '1.5', '1001', 'many']) {
      assert.throws(() => parseConfig({ ACCESS_TOKEN_KEYS: key('k1'), MAX_SESSIONS_PER_USER: value }), /MAX_SESSIONS_PER_USER/, value);
    }
    assert.equal(parseConfig({ ACCESS_TOKEN_KEYS: key('k1'), MAX_SESSIONS_PER_USER: '1' }).MAX_SESSIONS_PER_USER, 1);
    for (const name of ['SIGNIN_ACCOUNT_MAX_SUCCESSES', 'SIGNIN_IP_MAX_SUCCESSES', 'SIGNIN_SUCCESS_WINDOW_SECONDS']) {
      assert.throws(() => parseConfig({ ACCESS_TOKEN_KEYS: key('k1'), [name]: '0' }), new RegExp(name), name);
    }
  });

  test('without keys it fails with one line naming the variable', () => {
    assert.throws(
      () => parseConfig({}),
      (error: unknown) =>
        error instanceof ConfigError && /ACCESS_TOKEN_KEYS is required/.test(error.message) && !error.message.includes('\n'),
    );
  });

  test('the first key signs, every key verifies, in order', () => {
    const config = parseConfig({ ACCESS_TOKEN_KEYS: `${key('new')}, ${key('old')}` });
    assert.deepEqual(
      config.ACCESS_TOKEN_KEYS.map((k) => k.kid),
      ['new', 'old'],
    );
  });

  for (const [label, value, message] of [
    ['a key shorter than 256 bits (RFC 7518 3.2)', key('short', 16), /shorter than 32 bytes/],
    ['a duplicate key id', `${key('same')},${key('same')}`, /listed twice/],
    ['a key without an id', randomBytes(32).toString('base64url'), /kid:base64url-secret/],
    ['an empty list', ' , ', /at least one key/],
  ] as const) {
    test(`rejects ${label}`, () => {
      assert.throws(() => parseConfig({ ACCESS_TOKEN_KEYS: value }), message);
    });
  }

  test('rejects non-numeric and non-positive lifetimes', () => {
    assert.throws(() => parseConfig({ ACCESS_TOKEN_KEYS: key('k'), ACCESS_TOKEN_TTL_SECONDS: 'soon' }), /ACCESS_TOKEN_TTL_SECONDS/);
    assert.throws(() => parseConfig({ ACCESS_TOKEN_KEYS: key('k'), SESSION_IDLE_TIMEOUT_SECONDS: '0' }), /SESSION_IDLE_TIMEOUT_SECONDS/);
  });

  test('COOKIE_SECURE=false is the explicit switch for plain-http hosts', () => {
    assert.equal(parseConfig({ ACCESS_TOKEN_KEYS: key('k'), COOKIE_SECURE: 'false' }).COOKIE_SECURE, false);
    assert.throws(() => parseConfig({ ACCESS_TOKEN_KEYS: key('k'), COOKIE_SECURE: 'no' }), /COOKIE_SECURE/);
  });

  test('an access-token lifetime above 15 minutes is refused: it is how long a copied token outlives logout', () => {
    assert.equal(parseConfig({ ACCESS_TOKEN_KEYS: key('k'), ACCESS_TOKEN_TTL_SECONDS: '900' }).ACCESS_TOKEN_TTL_SECONDS, 900);
    assert.throws(() => parseConfig({ ACCESS_TOKEN_KEYS: key('k'), ACCESS_TOKEN_TTL_SECONDS: '901' }), /ACCESS_TOKEN_TTL_SECONDS must be at most 900/);
  });

  test('lifetimes must nest: access token < idle timeout <= absolute timeout', () => {
    assert.throws(
      () => parseConfig({ ACCESS_TOKEN_KEYS: key('k'), SESSION_IDLE_TIMEOUT_SECONDS: '700000' }),
      /SESSION_IDLE_TIMEOUT_SECONDS must not exceed SESSION_ABSOLUTE_TIMEOUT_SECONDS/,
    );
    assert.throws(
      () => parseConfig({ ACCESS_TOKEN_KEYS: key('k'), SESSION_IDLE_TIMEOUT_SECONDS: '300' }),
      /ACCESS_TOKEN_TTL_SECONDS must be shorter than SESSION_IDLE_TIMEOUT_SECONDS/,
    );
  });
});
