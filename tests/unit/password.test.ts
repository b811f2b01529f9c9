import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getDummyPasswordHash, hashPassword, needsRehash, verifyPassword } from '../../lib/auth/password-hashing';

describe('password hashing (OWASP Password Storage Cheat Sheet)', () => {
  test('uses Argon2id with m=19 MiB, t=2, p=1 and a random salt', async () => {
    const a = await hashPassword('correct horse battery staple');
    const b = await hashPassword('correct horse battery staple');
    assert.match(a, /^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    assert.notEqual(a, b, 'same password, different salt, different hash');
    assert.ok(!a.includes('correct horse'), 'the password is not in the hash');
  });

  test('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('correct horse battery staple');
    assert.equal(await verifyPassword(hash, 'correct horse battery staple'), true);
    assert.equal(await verifyPassword(hash, 'correct horse battery stapler'), false);
    assert.equal(await verifyPassword(hash, ''), false);
  });

  test('a malformed stored hash is a refusal, not an exception', async () => {
    assert.equal(await verifyPassword('not-a-hash', 'anything'), false);
  });

  test('the dummy hash used for unknown accounts matches nothing typed', async () => {
    const dummy = await getDummyPasswordHash();
    assert.match(dummy, /^\$argon2id\$/);
    assert.equal(await verifyPassword(dummy, ''), false);
    assert.equal(await verifyPassword(dummy, 'correct horse battery staple'), false);
  });

  test('hashes with weaker parameters are flagged for rehashing', async () => {
    assert.equal(needsRehash(await hashPassword('x'.repeat(12))), false);
    // An Argon2id hash made with t=1 (weaker than today's parameters).
    const argon2 = (await import('argon2')).default;
    const weak = await argon2.hash('x'.repeat(12), { type: argon2.argon2id, memoryCost: 19_456, timeCost: 1, parallelism: 1 });
    assert.equal(needsRehash(weak), true);
  });

  test('hashing does not block the event loop', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await Promise.all([hashPassword('one password here'), hashPassword('two password here')]);
    clearInterval(timer);
    assert.ok(ticks > 0, 'timers kept firing while two hashes ran');
  });
});
