import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';
import { raceInProcesses } from '../helpers/process-race';
import { createUser, formData, meta, PASSWORD, recordingJar, secondsLater, signedInUser } from '../helpers/fixtures';
import { confirmPasswordDefinition } from '../../lib/sensitive-actions/confirm-password-action';
import { sendPaymentDefinition } from '../../lib/sensitive-actions/send-payment-action';
import { db } from '../../lib/db/client';
import { amountField, formatCents, PAYMENT_MAX_CENTS } from '../../lib/payments/money';
import { paymentSchema, sendPayment } from '../../lib/payments/send-payment';
import { runSensitiveAction, type SensitiveRequest } from '../../lib/sensitive-actions/checked-action';
import { signIn } from '../../lib/auth/sign-in';
import { signAccessToken } from '../../lib/tokens/access-token';

useTestDatabase();

const LIMIT_ERROR = 'The most you can send in one payment is $500.00.';
const FORMAT_ERROR = 'Enter an amount like 12.50: digits, a dot, at most two decimals.';

/** Balances of the given users and the payments between any of them: "did anything change?". */
async function snapshot(userIds: string[]) {
  const users = await db().user.findMany({ where: { id: { in: userIds } }, select: { id: true, balanceCents: true } });
  const payments = await db().payment.count({
    where: { OR: [{ senderId: { in: userIds } }, { recipientId: { in: userIds } }] },
  });
  return { balances: Object.fromEntries(users.map((u) => [u.id, u.balanceCents])), payments };
}

async function balanceOf(userId: string): Promise<number> {
  return (await db().user.findUniqueOrThrow({ where: { id: userId } })).balanceCents;
}

describe('amountField: money as integer cents, never a float', () => {
  const valid: Array<[string, number]> = [
    ['12', 1_200],
    ['12.5', 1_250],
    ['12.50', 1_250],
    [' 12.50 ', 1_250],
    ['0.01', 1],
    ['0.29', 29], // 0.29 * 100 is 28.999999999999996 as a float
    ['500', PAYMENT_MAX_CENTS],
    ['500.00', PAYMENT_MAX_CENTS],
    ['000000000012.50', 1_250], // leading zeros are not digits of the amount
  ];
  for (const [input, cents] of valid) {
    test(`${JSON.stringify(input)} -> ${cents} cents`, () => {
      assert.deepEqual(amountField.safeParse(input), { success: true, data: cents });
    });
  }

  const invalid: Array<[string, string]> = [
    ['1.234', FORMAT_ERROR],
    ['-5', 'The amount must be more than $0.00.'], // a sign in front of a well-formed amount: the rule it breaks
    ['-0.50', 'The amount must be more than $0.00.'],
    ['+5', FORMAT_ERROR],
    ['1e3', FORMAT_ERROR],
    ['12.', FORMAT_ERROR],
    ['.5', FORMAT_ERROR],
    ['0x10', FORMAT_ERROR],
    ['Infinity', FORMAT_ERROR],
    ['12 50', FORMAT_ERROR],
    ['1,2345', FORMAT_ERROR],
    ['0', 'The amount must be more than $0.00.'],
    ['0.00', 'The amount must be more than $0.00.'],
    ['', 'Enter an amount.'],
    ['   ', 'Enter an amount.'],
    ['500.01', LIMIT_ERROR],
    // A comma is never guessed at: decimal mark in some places, thousands separator in others.
    ['1,000.00', FORMAT_ERROR],
    ['0,250', FORMAT_ERROR],
    [',100', FORMAT_ERROR],
    ['999999999', LIMIT_ERROR],
    // Too many digits is still a well-formed amount: the limit is the rule it breaks.
    ['1000000000', LIMIT_ERROR],
    ['99999999999999999999.99', LIMIT_ERROR],
  ];
  for (const [input, message] of invalid) {
    test(`${JSON.stringify(input)} is refused: ${message}`, () => {
      const result = amountField.safeParse(input);
      assert.equal(result.success, false);
      assert.deepEqual(result.error?.issues.map((i) => i.message), [message]);
    });
  }

  test('a number instead of text is refused (form fields are strings)', () => {
    assert.equal(amountField.safeParse(12).success, false);
  });
});

describe('formatCents: money for people', () => {
  const shown: Array<[number, string]> = [
    [0, '$0.00'],
    [1, '$0.01'],
    [1_250, '$12.50'],
    [123_456_789, '$1,234,567.89'],
    [-500, '-$5.00'],
  ];
  for (const [cents, text] of shown) {
    test(`${cents} cents reads ${text}`, () => assert.equal(formatCents(cents), text));
  }
});

describe('sendPayment', () => {
  test('moves the amount from sender to recipient and writes one payment row', async () => {
    const sender = await createUser({ balanceCents: 10_000 });
    const recipient = await createUser({ balanceCents: 500 });
    const now = new Date('2026-02-01T10:00:00Z');
    const result = await sendPayment(sender.id, { recipient: recipient.email, amount: 1_250, idempotencyKey: randomUUID() }, now);
    assert.equal(result.ok, true);
    assert.ok(result.ok, 'the payment goes through');
    assert.equal(result.duplicate, false);
    assert.equal(result.payment.amountCents, 1_250);
    assert.equal(result.payment.recipientEmail, recipient.email);
    assert.equal(await balanceOf(sender.id), 8_750);
    assert.equal(await balanceOf(recipient.id), 1_750);
    const rows = await db().payment.findMany({ where: { senderId: sender.id } });
    assert.equal(rows.length, 1);
    assert.equal(rows[0].recipientId, recipient.id);
    assert.equal(rows[0].amountCents, 1_250);
    assert.equal(rows[0].createdAt.getTime(), now.getTime());
  });

  test('the whole balance can be sent, leaving exactly zero', async () => {
    const sender = await createUser({ balanceCents: 4_200 });
    const recipient = await createUser({ balanceCents: 0 });
    const result = await sendPayment(sender.id, { recipient: recipient.email, amount: 4_200, idempotencyKey: randomUUID() });
    assert.equal(result.ok, true);
    assert.equal(await balanceOf(sender.id), 0);
    assert.equal(await balanceOf(recipient.id), 4_200);
  });

  const refusals: Array<[string, 'self_payment' | 'unknown_recipient' | 'insufficient_funds']> = [
    ['to oneself', 'self_payment'],
    ['to an unknown email', 'unknown_recipient'],
    ['above the balance', 'insufficient_funds'],
  ];
  for (const [name, reason] of refusals) {
    test(`a payment ${name} is refused (${reason}) and changes nothing`, async () => {
      const sender = await createUser({ balanceCents: 1_000 });
      const recipient = await createUser({ balanceCents: 1_000 });
      const before = await snapshot([sender.id, recipient.id]);
      const input = {
        recipient: reason === 'self_payment' ? sender.email : reason === 'unknown_recipient' ? `nobody-${randomUUID()}@example.com` : recipient.email,
        amount: reason === 'insufficient_funds' ? 1_001 : 100,
        idempotencyKey: randomUUID(),
      };
      assert.deepEqual(await sendPayment(sender.id, input), { ok: false, reason });
      assert.deepEqual(await snapshot([sender.id, recipient.id]), before);
    });
  }

  test('20 concurrent payments exceeding the balance never overdraw and conserve money', async () => {
    const start = 10_000;
    const sender = await createUser({ balanceCents: start });
    const recipients = [await createUser({ balanceCents: 0 }), await createUser({ balanceCents: 250 }), await createUser({ balanceCents: 7 })];
    const everyone = [sender.id, ...recipients.map((r) => r.id)];
    const totalBefore = Object.values((await snapshot(everyone)).balances).reduce((a, b) => a + b, 0);
    const amounts = Array.from({ length: 20 }, (_, i) => 500 + i * 97); // 500..2343, 28,430 in all
    assert.ok(amounts.reduce((a, b) => a + b, 0) > start, 'together the payments exceed the balance');

    const results = await Promise.all(
      amounts.map((amount, i) =>
        sendPayment(sender.id, { recipient: recipients[i % 3].email, amount, idempotencyKey: randomUUID() }),
      ),
    );

    const succeeded = amounts.filter((_, i) => results[i].ok);
    const refused = results.filter((r) => !r.ok);
    assert.ok(succeeded.length > 0, 'some payments go through');
    assert.ok(refused.length > 0, 'the ones that do not fit are refused');
    assert.ok(refused.every((r) => !r.ok && r.reason === 'insufficient_funds'), 'every refusal is for insufficient funds');
    const after = await snapshot(everyone);
    assert.ok(after.balances[sender.id] >= 0, 'never negative');
    assert.equal(after.balances[sender.id], start - succeeded.reduce((a, b) => a + b, 0));
    assert.equal(Object.values(after.balances).reduce((a, b) => a + b, 0), totalBefore, 'no money created or lost');
    assert.equal(await db().payment.count({ where: { senderId: sender.id } }), succeeded.length);
    const credited = recipients.map((r, k) => amounts.filter((_, i) => results[i].ok && i % 3 === k).reduce((a, b) => a + b, 0));
    for (const [k, r] of recipients.entries()) assert.equal(after.balances[r.id] - [0, 250, 7][k], credited[k]);
  });

  test('payments crossing in opposite directions at once all go through (no deadlock between the two rows)', async () => {
    // Each payment updates the sender's row and the recipient's. Taken in payment order, A->B and B->A
    // would each hold one row and wait for the other: PostgreSQL then aborts one of them (a deadlock).
    const alice = await createUser({ balanceCents: 100_000 });
    const bob = await createUser({ balanceCents: 100_000 });
    const pairs = 10;
    const results = await Promise.all(
      Array.from({ length: pairs }, () => [
        sendPayment(alice.id, { recipient: bob.email, amount: 100, idempotencyKey: randomUUID() }),
        sendPayment(bob.id, { recipient: alice.email, amount: 300, idempotencyKey: randomUUID() }),
      ]).flat(),
    );
    assert.deepEqual(results.filter((r) => !r.ok), [], 'every payment succeeded');
    assert.equal(await balanceOf(alice.id), 100_000 + pairs * 200);
    assert.equal(await balanceOf(bob.id), 100_000 - pairs * 200);
    assert.equal(await db().payment.count({ where: { senderId: { in: [alice.id, bob.id] } } }), 2 * pairs);
  });

  test('idempotency: the same key twice, one after the other, pays once and both report success', async () => {
    const sender = await createUser({ balanceCents: 10_000 });
    const recipient = await createUser({ balanceCents: 0 });
    const key = randomUUID();
    const first = await sendPayment(sender.id, { recipient: recipient.email, amount: 700, idempotencyKey: key });
    // A double submit of the same rendered form finds the first payment (an edited one is refused: see below).
    const second = await sendPayment(sender.id, { recipient: recipient.email, amount: 700, idempotencyKey: key });
    assert.ok(first.ok && second.ok, 'both submits report success');
    assert.equal(first.duplicate, false);
    assert.equal(second.duplicate, true);
    assert.equal(second.payment.id, first.payment.id);
    assert.equal(second.payment.amountCents, 700);
    assert.equal(await db().payment.count({ where: { senderId: sender.id } }), 1);
    assert.equal(await balanceOf(sender.id), 9_300);
    assert.equal(await balanceOf(recipient.id), 700);
  });

  test('idempotency: the same key twice, concurrently, pays once and both report success', async () => {
    const sender = await createUser({ balanceCents: 10_000 });
    const recipient = await createUser({ balanceCents: 0 });
    const input = { recipient: recipient.email, amount: 1_500, idempotencyKey: randomUUID() };
    const results = await Promise.all([sendPayment(sender.id, input), sendPayment(sender.id, input), sendPayment(sender.id, input)]);
    assert.ok(results.every((r) => r.ok), 'every submit reports success');
    const ids = new Set(results.map((r) => (r.ok ? r.payment.id : null)));
    assert.equal(ids.size, 1, 'all three calls report the same payment');
    assert.equal(results.filter((r) => r.ok && !r.duplicate).length, 1);
    assert.equal(await db().payment.count({ where: { senderId: sender.id } }), 1);
    assert.equal(await balanceOf(sender.id), 8_500);
    assert.equal(await balanceOf(recipient.id), 1_500);
  });

  test('a double submit handled by two server processes pays once, and both report success', async () => {
    const sender = await createUser();
    const recipient = await createUser();
    const key = randomUUID();
    const results = await raceInProcesses<{ status: string; paymentId?: string; message?: string }>(2, {
      RACE_OPERATION: 'pay',
      RACE_COUNT: '3',
      PAY_SENDER_ID: sender.id,
      PAY_RECIPIENT: recipient.email,
      PAY_AMOUNT_CENTS: '2500',
      PAY_KEY: key,
    });
    const outcomes = results.flat();
    assert.deepEqual(
      outcomes.map((o) => o.status),
      outcomes.map(() => 'paid'),
      `every submit sees the payment: ${JSON.stringify(outcomes)}`,
    );
    assert.equal(new Set(outcomes.map((o) => o.paymentId)).size, 1, 'all of them see the same payment');
    assert.equal(await db().payment.count({ where: { senderId: sender.id } }), 1);
    assert.equal(await balanceOf(sender.id), 100_000 - 2_500);
    assert.equal(await balanceOf(recipient.id), 100_000 + 2_500);
  });

  test('a key reused for a different payment is refused, not reported as the first one', async () => {
    const sender = await createUser();
    const recipient = await createUser();
    const idempotencyKey = randomUUID();
    const first = await sendPayment(sender.id, { recipient: recipient.email, amount: 1_000, idempotencyKey });
    assert.equal(first.ok, true, 'the first payment goes through');
    const other = await sendPayment(sender.id, { recipient: recipient.email, amount: 9_000, idempotencyKey });
    assert.deepEqual(other, { ok: false, reason: 'key_reused' });
    assert.equal(await balanceOf(sender.id), 100_000 - 1_000);
  });

  // A form replayed with its idempotency key but an edited recipient or amount (a tampered request,
  // or a client bug) is not a double submit: reporting the first payment as this one would tell the
  // person that money went where it did not. Refused, and nothing moves.
  const editedReplays: Array<[string, (first: { recipient: string; amount: number }, other: string) => { recipient: string; amount: number }]> = [
    ['another recipient', (first, other) => ({ recipient: other, amount: first.amount })],
    ['another amount', (first) => ({ recipient: first.recipient, amount: first.amount + 1 })],
    ['another recipient and amount', (first, other) => ({ recipient: other, amount: 50 })],
  ];
  for (const [name, edit] of editedReplays) {
    test(`the same idempotency key with ${name} is refused (key_reused) and moves no money`, async () => {
      const sender = await createUser({ balanceCents: 10_000 });
      const recipient = await createUser({ balanceCents: 0 });
      const other = await createUser({ balanceCents: 0 });
      const idempotencyKey = randomUUID();
      const firstInput = { recipient: recipient.email, amount: 1_000 };
      const first = await sendPayment(sender.id, { ...firstInput, idempotencyKey });
      assert.ok(first.ok && !first.duplicate, 'the first payment goes through');
      const before = await snapshot([sender.id, recipient.id, other.id]);

      const replay = await sendPayment(sender.id, { ...edit(firstInput, other.email), idempotencyKey });
      assert.deepEqual(replay, { ok: false, reason: 'key_reused' });
      assert.deepEqual(await snapshot([sender.id, recipient.id, other.id]), before, 'no balance changed, no payment row added');
      assert.deepEqual(before.balances, { [sender.id]: 9_000, [recipient.id]: 1_000, [other.id]: 0 });

      // The unedited replay is still the harmless double submit it always was.
      const duplicate = await sendPayment(sender.id, { ...firstInput, idempotencyKey });
      assert.ok(duplicate.ok && duplicate.duplicate && duplicate.payment.id === first.payment.id, 'a true double submit reports the first payment');
      assert.deepEqual(await snapshot([sender.id, recipient.id, other.id]), before, 'and pays nothing more');
    });
  }

  test('probing for accounts is limited: after 5 unknown recipients, payments wait (enumeration)', async () => {
    const sender = await createUser();
    const known = await createUser();
    const start = new Date('2026-04-01T10:00:00Z');
    for (let i = 0; i < 5; i++) {
      const miss = await sendPayment(sender.id, { recipient: `probe-${i}@example.com`, amount: 100, idempotencyKey: randomUUID() }, start);
      assert.deepEqual(miss, { ok: false, reason: 'unknown_recipient' });
    }
    // Now even a real recipient gets the same "wait", so the answer no longer tells who exists.
    const blocked = await sendPayment(sender.id, { recipient: known.email, amount: 100, idempotencyKey: randomUUID() }, secondsLater(start, 60));
    assert.deepEqual(blocked, { ok: false, reason: 'throttled', retryAfterSeconds: 840 });
    const later = await sendPayment(sender.id, { recipient: known.email, amount: 100, idempotencyKey: randomUUID() }, secondsLater(start, 901));
    assert.equal(later.ok, true, 'the limit lifts after the window');
    // Payments to real recipients never count toward it.
    const other = await createUser();
    for (let i = 0; i < 8; i++) {
      assert.equal((await sendPayment(other.id, { recipient: known.email, amount: 1, idempotencyKey: randomUUID() }, start)).ok, true);
    }
  });

  test('idempotency keys are per sender: two senders may use the same key', async () => {
    const [a, b, recipient] = [await createUser(), await createUser(), await createUser({ balanceCents: 0 })];
    const key = randomUUID();
    const first = await sendPayment(a.id, { recipient: recipient.email, amount: 100, idempotencyKey: key });
    const second = await sendPayment(b.id, { recipient: recipient.email, amount: 200, idempotencyKey: key });
    assert.ok(first.ok && second.ok && !second.duplicate, 'a second sender with the same key makes its own payment');
    assert.equal(await balanceOf(recipient.id), 300);
  });

  test('paymentSchema refuses a missing or malformed idempotency key', () => {
    const base = { recipient: 'someone@example.com', amount: '1' };
    assert.equal(paymentSchema.safeParse(base).success, false);
    assert.equal(paymentSchema.safeParse({ ...base, idempotencyKey: 'abc' }).success, false);
    assert.equal(paymentSchema.safeParse({ ...base, idempotencyKey: randomUUID() }).success, true);
  });
});

// Alice signs in bound to her key, as the sign-in form does: a bound session keeps the REAUTH_MAX_AGE_SECONDS
// window. The unbound path (the password with every payment) is tests/integration/binding-policy.test.ts.
describe('send payment through the checked path, with step-up (ASVS 7.5.3)', () => {
  /** A request at `now` with a fresh access token, as after a silent refresh: refresh never renews authenticatedAt. */
  async function requestAt(subject: { user: { id: string; email: string }; session: { id: string } }, now: Date): Promise<SensitiveRequest> {
    const access = await signAccessToken({ userId: subject.user.id, email: subject.user.email, sessionId: subject.session.id }, now);
    return {
      headers: new Headers({ origin: 'http://localhost:3000', host: 'localhost:3000' }),
      accessToken: access.token,
      mayRenew: true,
      cookies: recordingJar().jar,
      now,
    };
  }

  async function authenticatedAt(sessionId: string): Promise<number> {
    return (await db().session.findUniqueOrThrow({ where: { id: sessionId } })).authenticatedAt.getTime();
  }

  test('step-up required after 600 s; confirming the password lets the payment proceed', async () => {
    const signInAt = new Date('2026-03-01T09:00:00Z');
    const alice = await signedInUser(signInAt, { balanceCents: 10_000, bound: true });
    const bob = await createUser({ balanceCents: 0 });
    // The form as Alice's page sends it at `at`, with her key's proof; `payment` is the one she sends again.
    const form = (at: Date, idempotencyKey: string = randomUUID()) =>
      alice.actionForm({ recipient: bob.email.toUpperCase(), amount: '12.50', idempotencyKey }, at);
    const payment = randomUUID();

    // Within 600 s of sign-in the payment needs no confirmation.
    const early = await runSensitiveAction(sendPaymentDefinition, await requestAt(alice, secondsLater(signInAt, 600)), await form(secondsLater(signInAt, 600)));
    assert.equal(early.status, 'success');
    const afterEarly = await snapshot([alice.user.id, bob.id]);

    // 601 s after the password was typed: refused, nothing moves.
    const later = secondsLater(signInAt, 601);
    const refused = await runSensitiveAction(sendPaymentDefinition, await requestAt(alice, later), await form(later, payment));
    assert.equal(refused.status === 'error' && refused.code, 'reauth_required');
    assert.deepEqual(await snapshot([alice.user.id, bob.id]), afterEarly);

    // Confirm the password in this browser: it continues in a new session that holds the credit
    // (the old one ends, so a copy of its cookies gets none: tests/integration/stolen-session-step-up.test.ts)...
    const confirmed = await runSensitiveAction(confirmPasswordDefinition, await requestAt(alice, later), formData({ password: PASSWORD }));
    assert.deepEqual(confirmed, { status: 'success', message: 'Password confirmed' });
    const stepped = { user: alice.user, session: await db().session.findFirstOrThrow({ where: { userId: alice.user.id, revokedAt: null } }) };
    assert.notEqual(stepped.session.id, alice.session.id);
    assert.equal(await authenticatedAt(stepped.session.id), later.getTime());

    // ...and the very same form goes through.
    const sent = await runSensitiveAction(sendPaymentDefinition, await requestAt(stepped, secondsLater(later, 5)), await form(secondsLater(later, 5), payment));
    assert.deepEqual(sent, { status: 'success', message: `Sent $12.50 to ${bob.email}.` });
    assert.equal(await balanceOf(alice.user.id), 10_000 - 2 * 1_250);
    assert.equal(await balanceOf(bob.id), 2 * 1_250);
    const events = await db().securityEvent.findMany({ where: { userId: alice.user.id }, select: { type: true, detail: true } });
    assert.ok(events.some((e) => e.type === 'step_up_succeeded'), 'the confirmation is in the security log');
    assert.equal(events.filter((e) => e.type === 'payment_sent').length, 2);
    assert.ok(events.some((e) => e.type === 'payment_sent' && e.detail === `$12.50 to ${bob.email}`), 'the payment is in the security log');

    // The confirmation does not last forever either.
    const stale = await runSensitiveAction(sendPaymentDefinition, await requestAt(stepped, secondsLater(later, 601)), await form(secondsLater(later, 601)));
    assert.equal(stale.status === 'error' && stale.code, 'reauth_required');
    assert.equal(await db().payment.count({ where: { senderId: alice.user.id } }), 2);
  });

  test('a business refusal comes back as a field error: self-payment (any letter case), unknown recipient, low balance', async () => {
    const now = new Date();
    const alice = await signedInUser(now, { balanceCents: 1_000, bound: true });
    const bob = await createUser({ balanceCents: 0 });
    const cases: Array<[Record<string, string>, string, string]> = [
      [{ recipient: alice.user.email.toUpperCase(), amount: '1' }, 'recipient', 'You cannot send a payment to yourself.'],
      [{ recipient: `nobody-${randomUUID()}@example.com`, amount: '1' }, 'recipient', 'There is no account with that email address.'],
      [{ recipient: bob.email, amount: '10.01' }, 'amount', 'Your balance is too low for this payment.'],
    ];
    const before = await snapshot([alice.user.id, bob.id]);
    for (const [values, field, message] of cases) {
      const result = await runSensitiveAction(sendPaymentDefinition, await requestAt(alice, now), await alice.actionForm({ ...values, idempotencyKey: randomUUID() }, now));
      assert.deepEqual(result, { status: 'error', code: 'refused', message, fieldErrors: { [field]: [message] } });
    }
    assert.deepEqual(await snapshot([alice.user.id, bob.id]), before);
  });

  test('a double submit through the action pays once and both submits see success', async () => {
    const now = new Date();
    const alice = await signedInUser(now, { balanceCents: 5_000, bound: true });
    const bob = await createUser({ balanceCents: 0 });
    const values = { recipient: bob.email, amount: '20', idempotencyKey: randomUUID() };
    const results = await Promise.all([
      runSensitiveAction(sendPaymentDefinition, await requestAt(alice, now), await alice.actionForm(values, now)),
      runSensitiveAction(sendPaymentDefinition, await requestAt(alice, now), await alice.actionForm(values, now)),
    ]);
    for (const result of results) assert.deepEqual(result, { status: 'success', message: `Sent $20.00 to ${bob.email}.` });
    assert.equal(await balanceOf(alice.user.id), 3_000);
    assert.equal(await db().payment.count({ where: { senderId: alice.user.id } }), 1);
    assert.equal(await db().securityEvent.count({ where: { userId: alice.user.id, type: 'payment_sent' } }), 1);
  });

  test('wrong confirmations count toward the session\'s own limit: after 5, even the right password is throttled', async () => {
    const signInAt = new Date('2026-03-02T09:00:00Z');
    const alice = await signedInUser(signInAt, { balanceCents: 10_000, bound: true });
    const bob = await createUser({ balanceCents: 0 });
    const t = secondsLater(signInAt, 700); // past the step-up window
    const before = await snapshot([alice.user.id, bob.id]);

    for (let i = 1; i <= 5; i++) {
      const wrong = await runSensitiveAction(
        confirmPasswordDefinition,
        await requestAt(alice, secondsLater(t, i)),
        formData({ password: `wrong guess ${i}` }),
      );
      assert.deepEqual(wrong, {
        status: 'error',
        code: 'invalid_input',
        message: 'That password is not correct.',
        fieldErrors: { password: ['That password is not correct.'] },
      });
    }
    const right = await runSensitiveAction(confirmPasswordDefinition, await requestAt(alice, secondsLater(t, 6)), formData({ password: PASSWORD }));
    assert.equal(right.status === 'error' && right.code, 'throttled');
    // The wait is said in words, not "try again later".
    assert.match(right.status === 'error' ? right.message : '', /^Too many failed attempts\. Try again in \d+ (minutes?|seconds?)\.$/);
    assert.equal(await authenticatedAt(alice.session.id), signInAt.getTime(), 'the throttled confirmation did not count');

    // The limit is this session's (more sessions never mean more guesses): the account's sign-in form is
    // a separate limit.
    const signInResult = await signIn(alice.user.email, PASSWORD, meta, secondsLater(t, 7));
    assert.equal(signInResult.ok, true);

    // ...and the payment still needs a step-up.
    const pay = await runSensitiveAction(
      sendPaymentDefinition,
      await requestAt(alice, secondsLater(t, 8)),
      await alice.actionForm({ recipient: bob.email, amount: '1', idempotencyKey: randomUUID() }, secondsLater(t, 8)),
    );
    assert.equal(pay.status === 'error' && pay.code, 'reauth_required');
    assert.deepEqual(await snapshot([alice.user.id, bob.id]), before);
    // Five wrong entries logged; the refused sixth writes nothing (no row per refused attempt).
    assert.equal(await db().securityEvent.count({ where: { userId: alice.user.id, type: 'step_up_failed' } }), 5);

    // The lock lifts LOGIN_FAILURE_WINDOW_SECONDS (900) after the failures.
    const lifted = await runSensitiveAction(confirmPasswordDefinition, await requestAt(alice, secondsLater(t, 906)), formData({ password: PASSWORD }));
    assert.equal(lifted.status, 'success');
  });
});
