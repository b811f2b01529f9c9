/**
 * /activity's reading of the security log (lib/audit/activity-log.ts, lib/audit/event-labels.ts):
 * newest first, one user's events only, keyset pages that neither repeat nor skip an event while new
 * ones arrive, and a clear refusal of a bad cursor.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';
import { createUser, secondsLater } from '../helpers/fixtures';
import {
  activityPosition,
  decodeCursor,
  encodeCursor,
  listSecurityEvents,
  type ActivityPage,
  type ActivityPosition,
} from '../../lib/audit/activity-log';
import { ALARM_EXPLANATIONS, ALARMING_EVENTS, SECURITY_EVENT_LABELS, securityEventLabel } from '../../lib/audit/event-labels';
import { recordSecurityEvent, type SecurityEventType } from '../../lib/audit/security-events';

useTestDatabase();

/** `count` events for a new user, one second apart from `start`, plus three with the very same instant. */
async function userWithEvents(count: number, start: Date) {
  const user = await createUser();
  for (let i = 0; i < count; i++) {
    await recordSecurityEvent({ type: 'login_succeeded', userId: user.id, now: secondsLater(start, i), detail: `event ${i}` });
  }
  return user;
}

function positionOf(cursor: string, from: 'before' | 'after'): ActivityPosition {
  const decoded = decodeCursor(cursor);
  assert.ok(decoded);
  return { from, cursor: decoded };
}

/** Follows "Older events" from the newest page to the end; returns every page. */
async function walkOlder(userId: string, pageSize: number): Promise<ActivityPage[]> {
  const pages = [await listSecurityEvents(userId, { from: 'newest' }, pageSize)];
  while (pages.at(-1)!.older) pages.push(await listSecurityEvents(userId, positionOf(pages.at(-1)!.older!, 'before'), pageSize));
  return pages;
}

function isNewestFirst(events: { createdAt: Date; id: string }[]): boolean {
  return events.every((event, i) => {
    if (i === 0) return true;
    const previous = events[i - 1];
    const t = previous.createdAt.getTime() - event.createdAt.getTime();
    return t > 0 || (t === 0 && previous.id > event.id);
  });
}

describe('listing one user’s events, newest first', () => {
  test('only this user’s events, newest first, with what the acting request recorded', async () => {
    const start = new Date('2026-08-01T10:00:00Z');
    const alice = await userWithEvents(3, start);
    const bob = await userWithEvents(2, start);
    await recordSecurityEvent({
      type: 'refresh_token_reuse',
      userId: alice.id,
      meta: { ipAddress: '203.0.113.5', userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0' },
      now: secondsLater(start, 60),
    });
    const page = await listSecurityEvents(alice.id, { from: 'newest' });
    assert.deepEqual(
      page.events.map((e) => e.detail ?? e.type),
      ['refresh_token_reuse', 'event 2', 'event 1', 'event 0'],
    );
    assert.equal(page.events[0].ipAddress, '203.0.113.5');
    assert.match(page.events[0].userAgent ?? '', /Firefox/);
    assert.deepEqual([page.newer, page.older], [null, null], 'one page: no links');
    assert.ok((await listSecurityEvents(bob.id, { from: 'newest' })).events.every((e) => e.detail?.startsWith('event')));
    assert.equal((await listSecurityEvents(bob.id, { from: 'newest' })).events.length, 2);
  });

  test('pages of 4 walk all 11 events exactly once, in order, and back again', async () => {
    const start = new Date('2026-08-02T10:00:00Z');
    const user = await userWithEvents(8, start);
    // Three events in the same millisecond: the id breaks the tie, so none can fall between two pages.
    for (let i = 0; i < 3; i++) await recordSecurityEvent({ type: 'login_failed', userId: user.id, now: secondsLater(start, 4), detail: `tie ${i}` });

    const pages = await walkOlder(user.id, 4);
    assert.deepEqual(pages.map((p) => p.events.length), [4, 4, 3]);
    const all = pages.flatMap((p) => p.events);
    assert.equal(new Set(all.map((e) => e.id)).size, 11, 'no event twice');
    assert.ok(isNewestFirst(all), 'newest first across pages, ties by id');
    assert.equal(pages[0].newer, null, 'the first page has no newer link');
    assert.equal(pages.at(-1)!.older, null, 'the last page has no older link');

    // "Newer events" from the last page leads back to exactly the page before it.
    const back = await listSecurityEvents(user.id, positionOf(pages[2].newer!, 'after'), 4);
    assert.deepEqual(back.events.map((e) => e.id), pages[1].events.map((e) => e.id));
    const first = await listSecurityEvents(user.id, positionOf(back.newer!, 'after'), 4);
    assert.deepEqual(first.events.map((e) => e.id), pages[0].events.map((e) => e.id));
    assert.equal(first.newer, null);
  });

  test('stable under inserts: events arriving while someone reads do not shift the older pages', async () => {
    const start = new Date('2026-08-03T10:00:00Z');
    const user = await userWithEvents(9, start);
    const firstPage = await listSecurityEvents(user.id, { from: 'newest' }, 3);
    const expectedOlder = (await walkOlder(user.id, 3)).slice(1).flatMap((p) => p.events.map((e) => e.id));

    // Two sign-ins happen while the person reads the first page.
    await recordSecurityEvent({ type: 'login_succeeded', userId: user.id, now: secondsLater(start, 100), detail: 'new 1' });
    await recordSecurityEvent({ type: 'logout', userId: user.id, now: secondsLater(start, 101), detail: 'new 2' });

    const older: string[] = [];
    let cursor = firstPage.older;
    while (cursor) {
      const page = await listSecurityEvents(user.id, positionOf(cursor, 'before'), 3);
      older.push(...page.events.map((e) => e.id));
      cursor = page.older;
    }
    assert.deepEqual(older, expectedOlder, 'the same events, none repeated, none skipped');
    // And the first page now knows there is something newer.
    const again = await listSecurityEvents(user.id, positionOf(encodeCursor(firstPage.events[0]), 'after'), 3);
    assert.deepEqual(again.events.map((e) => e.detail), ['new 2', 'new 1']);
    assert.equal(again.newer, null);
    assert.ok(again.older);
  });

  test('a cursor naming another user’s event only narrows this user’s own list', async () => {
    const start = new Date('2026-08-04T10:00:00Z');
    const alice = await userWithEvents(2, start);
    const mallory = await userWithEvents(2, secondsLater(start, 30));
    const malloryEvent = (await listSecurityEvents(mallory.id, { from: 'newest' })).events[0];
    const page = await listSecurityEvents(alice.id, positionOf(encodeCursor(malloryEvent), 'before'));
    assert.deepEqual(page.events.map((e) => e.detail), ['event 1', 'event 0']);
    assert.equal(page.newer, null, 'nothing of mallory’s shows through, not even as a link');
  });
});

describe('reading the cursor from the query string', () => {
  test('no parameter: the newest page; one good cursor: that position', () => {
    assert.deepEqual(activityPosition({}), { from: 'newest' });
    const cursor = encodeCursor({ createdAt: new Date('2026-08-05T10:00:00Z'), id: '0b6f0b49-5c7a-4d7e-9a55-3f1c1c0e0a11' });
    assert.deepEqual(activityPosition({ before: cursor }), {
      from: 'before',
      cursor: { createdAt: new Date('2026-08-05T10:00:00Z'), id: '0b6f0b49-5c7a-4d7e-9a55-3f1c1c0e0a11' },
    });
    assert.equal((activityPosition({ after: cursor }) as { from: string }).from, 'after');
  });

  test('a malformed, repeated or contradictory cursor is invalid, never half-used', () => {
    const good = encodeCursor({ createdAt: new Date(0), id: 'abc' });
    for (const query of [
      { before: 'garbage' },
      { before: '' },
      { before: '1764300000000' },
      { before: '1764300000000.' },
      { before: '-5.abc' },
      { before: '1764300000000.abc;DROP TABLE' },
      { before: '99999999999999999.abc' },
      { before: [good, good] },
      { before: good, after: good },
    ]) {
      assert.equal(activityPosition(query), 'invalid', JSON.stringify(query));
    }
  });
});

describe('labels (one place for every event type)', () => {
  test('every event type has a label, and each label is distinct', () => {
    const labels = Object.values(SECURITY_EVENT_LABELS);
    assert.equal(new Set(labels).size, labels.length);
    const types: SecurityEventType[] = ['login_failed', 'logout', 'refresh_token_reuse', 'session_revoked', 'payment_sent'];
    for (const type of types) assert.equal(securityEventLabel(type), SECURITY_EVENT_LABELS[type]);
  });

  test('every warning explains its own event: reuse and a renewal by another key each say what happened', () => {
    assert.deepEqual([...ALARMING_EVENTS].sort(), Object.keys(ALARM_EXPLANATIONS).sort());
    assert.match(ALARM_EXPLANATIONS.refresh_token_reuse, /refresh token was used twice/);
    assert.match(ALARM_EXPLANATIONS.binding_proof_failed, /device without its key/);
  });

  test('a type this version does not know still reads as something, never as a raw code', () => {
    assert.equal(securityEventLabel('something_new'), 'Other account event');
    assert.equal(securityEventLabel('toString'), 'Other account event');
  });
});
