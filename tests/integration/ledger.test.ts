/** The payment history, page by page: both directions, newest first, no overlap. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';
import { createUser, secondsLater } from '../helpers/fixtures';
import { db } from '../../lib/db/client';
import { getLedger } from '../../lib/payments/ledger';

useTestDatabase();

async function paymentsBetween(me: { id: string }, other: { id: string }, count: number, start: Date) {
  for (let i = 0; i < count; i++) {
    const sent = i % 2 === 0;
    await db().payment.create({
      data: {
        senderId: sent ? me.id : other.id,
        recipientId: sent ? other.id : me.id,
        amountCents: 100 + i,
        idempotencyKey: randomUUID(),
        // Two payments per second: pages must still be stable when timestamps tie.
        createdAt: secondsLater(start, Math.floor(i / 2)),
      },
    });
  }
}

describe('getLedger', () => {
  test('pages through sent and received payments, newest first, each exactly once', async () => {
    const me = await createUser({ balanceCents: 12_345 });
    const other = await createUser();
    await paymentsBetween(me, other, 23, new Date('2026-01-01T00:00:00Z'));

    const pages = await Promise.all([1, 2, 3].map((page) => getLedger(me.id, page, 10)));
    assert.deepEqual(pages.map((p) => p.entries.length), [10, 10, 3]);
    assert.deepEqual(pages.map((p) => [p.page, p.pageCount, p.total]), [[1, 3, 23], [2, 3, 23], [3, 3, 23]]);
    assert.equal(pages[0].balanceCents, 12_345);

    const all = pages.flatMap((p) => p.entries);
    assert.equal(new Set(all.map((e) => e.id)).size, 23, 'no payment twice, none missing');
    const times = all.map((e) => e.createdAt.getTime());
    assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first across pages');
    assert.ok(all.some((e) => e.direction === 'sent' && e.counterparty === other.email));
    assert.ok(all.some((e) => e.direction === 'received' && e.counterparty === other.email));
    // The amounts say which rows they are: 100 + i, sent when i is even.
    for (const entry of all) assert.equal(entry.direction === 'sent', (entry.amountCents - 100) % 2 === 0);
  });

  test('a page past the end shows the last page; a page before the start shows the first', async () => {
    const me = await createUser();
    await paymentsBetween(me, await createUser(), 12, new Date('2026-01-01T00:00:00Z'));
    assert.equal((await getLedger(me.id, 99, 10)).page, 2);
    assert.equal((await getLedger(me.id, -3, 10)).page, 1);
    assert.equal((await getLedger(me.id, Number.NaN, 10)).page, 1);
  });

  test('someone with no payments has one empty page', async () => {
    const me = await createUser({ balanceCents: 0 });
    assert.deepEqual(await getLedger(me.id), { balanceCents: 0, entries: [], page: 1, pageCount: 1, total: 0 });
  });

  test("other people's payments are not in my history", async () => {
    const me = await createUser();
    const [a, b] = [await createUser(), await createUser()];
    await paymentsBetween(a, b, 3, new Date());
    assert.equal((await getLedger(me.id)).total, 0);
  });
});
