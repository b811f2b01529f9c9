/**
 * Nothing lost (issue: "the audit event for a payment is written in the same transaction as the change
 * it records"). A payment and its `payment_sent` event commit together or not at all: when the event
 * cannot be written, no money moves and the person is not told about a payment that happened anyway.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';
import { refuseStatements } from '../helpers/database-faults';
import { createUser, recordingJar, signedInUser } from '../helpers/fixtures';
import { db } from '../../lib/db/client';
import { UNEXPECTED_ERROR } from '../../lib/forms/messages';
import { runSensitiveAction } from '../../lib/sensitive-actions/checked-action';
import { sendPaymentDefinition } from '../../lib/sensitive-actions/send-payment-action';

useTestDatabase();

/** A payment from `sender`'s page now, with its key's proof (a bound session: no password asked). */
async function pay(sender: Awaited<ReturnType<typeof signedInUser>>, recipient: string, amount: string) {
  const now = new Date();
  return runSensitiveAction(
    sendPaymentDefinition,
    {
      headers: new Headers({ origin: 'http://localhost:3000', host: 'localhost:3000' }),
      accessToken: sender.accessToken,
      mayRenew: false,
      cookies: recordingJar().jar,
      now,
    },
    await sender.actionForm({ recipient, amount, idempotencyKey: randomUUID() }, now),
  );
}

async function state(senderId: string, recipientId: string) {
  const balances = await db().user.findMany({ where: { id: { in: [senderId, recipientId] } }, orderBy: { id: 'asc' } });
  return {
    balances: balances.map((u) => u.balanceCents),
    payments: await db().payment.count({ where: { senderId } }),
    events: await db().securityEvent.count({ where: { userId: senderId, type: 'payment_sent' } }),
  };
}

describe('a payment and its security event are one transaction', () => {
  test('a successful payment records exactly one event naming the session', async () => {
    const alice = await signedInUser(new Date(), { bound: true });
    const bob = await createUser();
    const result = await pay(alice, bob.email, '12.50');
    assert.equal(result.status, 'success');
    const events = await db().securityEvent.findMany({ where: { userId: alice.user.id, type: 'payment_sent' } });
    assert.equal(events.length, 1);
    assert.equal(events[0].sessionId, alice.session.id);
    assert.equal(events[0].detail, `$12.50 to ${bob.email}`);
  });

  describe('when the security log refuses the event', () => {
    let undo: () => Promise<void>;
    before(async () => {
      // A real failure of the event insert, inside the database itself: a trigger refuses that one statement.
      undo = await refuseStatements({
        table: 'SecurityEvent',
        operation: 'INSERT',
        when: `NEW."type" = 'payment_sent'`,
        message: 'security log unavailable',
      });
    });
    after(() => undo());

    test('no money moves, no payment row is kept, and the person sees a failure', async () => {
      const alice = await signedInUser(new Date(), { bound: true });
      const bob = await createUser();
      const before = await state(alice.user.id, bob.id);
      const original = console.error;
      console.error = () => undefined; // the wrapper logs the unexpected failure; keep the test output clean
      try {
        const result = await pay(alice, bob.email, '40.00');
        assert.deepEqual(result, { status: 'error', code: 'unexpected', message: UNEXPECTED_ERROR });
      } finally {
        console.error = original;
      }
      assert.deepEqual(await state(alice.user.id, bob.id), before);
    });
  });
});
