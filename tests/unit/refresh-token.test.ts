/**
 * Refresh-token values (lib/tokens/refresh-token.ts): unguessable, and successors that only the server
 * can compute (RFC 9700 4.14.2 rotation, ASVS 7.2.3).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { describe, test } from 'node:test';
import { base64url } from 'jose';

const signingKid = 'current';
process.env.ACCESS_TOKEN_KEYS = `${signingKid}:${randomBytes(32).toString('base64url')}`;

const { deriveSuccessorToken, generateRefreshToken } = await import('../../lib/tokens/refresh-token');

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('refresh tokens', () => {
  // generateRefreshToken draws 256 random bits (ASVS 7.2.3 asks for 128+).
  test('guessing a refresh token: every one of its 32 bytes is random, not only a prefix', () => {
    const tokens = Array.from({ length: 64 }, () => Buffer.from(base64url.decode(generateRefreshToken())));
    for (const token of tokens) assert.equal(token.length, 32);
    for (let position = 0; position < 32; position++) {
      const values = new Set(tokens.map((token) => token[position]));
      // 64 draws of a random byte give one value at a given position with probability 256^-63.
      assert.ok(values.size > 1, `byte ${position} is the same in every token`);
    }
  });

  // The successor key is HKDF-derived from the server's signing secret.
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
