/**
 * DBSC's headers and session instructions (lib/binding/dbsc-headers.ts, lib/binding/dbsc-instructions.ts):
 * what the server writes is the exact structured field the spec shows, and what a browser sends is read
 * strictly, quoted or bare, with everything else refused as null.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BindingClient, sfString } from '../helpers/binding-client';
import {
  challengeHeader,
  MAX_DBSC_HEADER_LENGTH,
  parseStringHeader,
  registrationHeader,
  serializeString,
} from '../../lib/binding/dbsc-headers';
import { cookieAttributes, dbscSessionInstructions } from '../../lib/binding/dbsc-instructions';

describe('what the server writes', () => {
  test('Secure-Session-Registration offers ES256 only, with the path and the challenge', () => {
    assert.equal(
      registrationHeader({ path: '/api/auth/dbsc/register', challenge: 'c-1' }),
      '(ES256);path="/api/auth/dbsc/register";challenge="c-1"',
    );
    assert.equal(
      registrationHeader({ path: 'reg', challenge: 'cv', authorization: 'ac' }),
      '(ES256);path="reg";challenge="cv";authorization="ac"',
    );
  });

  test('Secure-Session-Challenge is the challenge string with the session id as `id`', () => {
    assert.equal(challengeHeader('new challenge', 'my session'), '"new challenge";id="my session"');
  });

  test('RFC 9651 strings: quotes and backslashes escaped, non-ASCII refused', () => {
    assert.equal(serializeString('a"b\\c'), '"a\\"b\\\\c"');
    assert.throws(() => serializeString('café'), TypeError);
    assert.throws(() => serializeString('line\nbreak'), TypeError);
  });
});

describe('what the browser sends: Sec-Secure-Session-Id and Secure-Session-Response', () => {
  test('a quoted string, as the spec says, with any parameters ignored', () => {
    assert.equal(parseStringHeader('"session-1"'), 'session-1');
    assert.equal(parseStringHeader('"session-1";ignored=1'), 'session-1');
    assert.equal(parseStringHeader(' "a\\"b" '), 'a"b');
  });

  test('a bare value of token characters (a session id or a JWT sent unquoted)', async () => {
    assert.equal(parseStringHeader('session-1'), 'session-1');
    const jwt = await (await BindingClient.generate()).dbscRefreshProof('c-1');
    assert.equal(parseStringHeader(jwt), jwt);
    assert.equal(parseStringHeader(sfString(jwt)), jwt);
  });

  test('anything else is null: absent, empty, two members, unterminated, bad escape, non-ASCII, over-long', () => {
    for (const raw of [
      null,
      undefined,
      '',
      '""',
      '"a", "b"',
      'a, b',
      '"unterminated',
      '"bad \\x escape"',
      '"caf\u00e9"',
      'has space',
      '"x" trailing',
      `"${'x'.repeat(MAX_DBSC_HEADER_LENGTH)}"`,
    ]) {
      assert.equal(parseStringHeader(raw), null, String(raw));
    }
  });
});

describe('the session instructions', () => {
  test('name the bound cookie with exactly the attributes it is set with', () => {
    assert.equal(cookieAttributes({ path: '/', secure: true, httpOnly: true, sameSite: 'lax' }), 'Path=/; Secure; HttpOnly; SameSite=Lax');
    assert.equal(cookieAttributes({ path: '/api', secure: false, httpOnly: true, sameSite: 'strict' }), 'Path=/api; HttpOnly; SameSite=Strict');
  });

  test('carry the id, the refresh URL, this origin only and the excluded paths', () => {
    const instructions = dbscSessionInstructions({
      id: 'dbsc-1',
      origin: 'https://app.example',
      refreshPath: '/api/auth/dbsc/refresh',
      cookie: { name: '__Host-access_token', options: { path: '/', secure: true, httpOnly: true, sameSite: 'lax' } },
      excludedPaths: ['/api/auth/', '/_next/'],
    });
    assert.deepEqual(instructions, {
      session_identifier: 'dbsc-1',
      refresh_url: '/api/auth/dbsc/refresh',
      scope: {
        origin: 'https://app.example',
        include_site: false,
        scope_specification: [
          { type: 'exclude', domain: 'app.example', path: '/api/auth/' },
          { type: 'exclude', domain: 'app.example', path: '/_next/' },
        ],
      },
      credentials: [{ type: 'cookie', name: '__Host-access_token', attributes: 'Path=/; Secure; HttpOnly; SameSite=Lax' }],
    });
  });
});
