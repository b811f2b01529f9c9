/** Signup without account enumeration: an existing email changes nothing and looks like a new one. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';
import { createUser, meta, PASSWORD } from '../helpers/fixtures';
import { db } from '../../lib/db/client';
import { verifyPassword } from '../../lib/auth/password-hashing';
import { signUp } from '../../lib/auth/sign-up';

useTestDatabase();

describe('signUp', () => {
  test('creates the account with an Argon2id hash and an empty balance (no money from nothing), and logs it', async () => {
    const email = `new-${randomUUID()}@example.com`;
    await signUp(email, 'a brand new password', meta);
    const user = await db().user.findUniqueOrThrow({ where: { email } });
    assert.match(user.passwordHash, /^\$argon2id\$/);
    assert.equal(await verifyPassword(user.passwordHash, 'a brand new password'), true);
    assert.equal(user.balanceCents, 0);
    const events = await db().securityEvent.findMany({ where: { userId: user.id } });
    assert.deepEqual(events.map((e) => e.type), ['signup']);
  });

  test('an existing email resolves the same way, changes nothing, and tells the owner', async () => {
    const owner = await createUser();
    const result = await signUp(owner.email, 'an attacker chosen password', meta);
    assert.deepEqual(result, { ok: true }, 'the same answer as for a new account');
    const after = await db().user.findUniqueOrThrow({ where: { id: owner.id } });
    assert.equal(after.passwordHash, owner.passwordHash);
    assert.equal(await verifyPassword(after.passwordHash, PASSWORD), true);
    assert.equal(await db().user.count({ where: { email: owner.email } }), 1);
    const events = await db().securityEvent.findMany({ where: { userId: owner.id } });
    assert.deepEqual(events.map((e) => e.type), ['signup_existing_email']);
  });

  test('two signups racing for one email create one account and both resolve', async () => {
    const email = `race-${randomUUID()}@example.com`;
    await Promise.all([signUp(email, 'first password here', meta), signUp(email, 'second password here', meta)]);
    assert.equal(await db().user.count({ where: { email } }), 1);
  });
});
