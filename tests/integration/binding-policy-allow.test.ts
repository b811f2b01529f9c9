/**
 * UNBOUND_SESSION_POLICY=allow: an unbound session gets the REAUTH_MAX_AGE_SECONDS window, exactly as a bound
 * one does (today's rule, never less). The default, `step-up`: tests/integration/binding-policy.test.ts.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';
import { createUser, formData, secondsLater, sensitiveRequestWith, signedInUser } from '../helpers/fixtures';
import { db } from '../../lib/db/client';
import { signAccessToken } from '../../lib/tokens/access-token';
import { runSensitiveAction } from '../../lib/sensitive-actions/checked-action';
import { sendPaymentDefinition } from '../../lib/sensitive-actions/send-payment-action';

process.env.UNBOUND_SESSION_POLICY = 'allow';
useTestDatabase();

describe('UNBOUND_SESSION_POLICY=allow: an unbound session keeps the step-up window', () => {
  test('a payment 1 s after sign-in needs no password; 601 s after it asks for a step-up and moves nothing', async () => {
    const now = new Date();
    const alice = await signedInUser(now, { balanceCents: 1_000 });
    const bob = await createUser({ balanceCents: 0 });
    assert.equal(alice.session.bindingKind, 'none');
    const pay = async (at: Date) => {
      const token = (await signAccessToken({ userId: alice.user.id, email: alice.user.email, sessionId: alice.session.id }, at)).token;
      const values = { recipient: bob.email, amount: '5.00', idempotencyKey: randomUUID() };
      return runSensitiveAction(sendPaymentDefinition, sensitiveRequestWith(token, at).request, formData(values));
    };
    assert.deepEqual(await pay(secondsLater(now, 1)), { status: 'success', message: `Sent $5.00 to ${bob.email}.` });
    assert.deepEqual(await pay(secondsLater(now, 600)), { status: 'success', message: `Sent $5.00 to ${bob.email}.` });
    const stale = await pay(secondsLater(now, 601));
    assert.equal(stale.status === 'error' && stale.code, 'reauth_required');
    assert.equal((await db().user.findUniqueOrThrow({ where: { id: bob.id } })).balanceCents, 1_000);
  });
});
