/**
 * /sessions a page at a time (finding: at 151 sessions the page was 154 KB, one card per session).
 * Keyset pagination on (createdAt, id): every other session is on exactly one page, the current one
 * on every page, and a cursor only narrows the signed-in user's own sessions.
 *
 *   node --conditions=react-server --import tsx --import ./tests/helpers/integration-setup.ts --test tests/integration/sessions-page.test.ts
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';
import { meta, secondsLater, signedInUser } from '../helpers/fixtures';
import { activityPosition } from '../../lib/audit/activity-log';
import { createSession } from '../../lib/session/session-store';
import { listActiveSessionsPage, readSessionBinding, SESSIONS_PAGE_SIZE } from '../../lib/session/session-list';

useTestDatabase();

/** What the page does with the query string. */
const positionOf = (query: { before?: string; after?: string }) => {
  const position = activityPosition(query);
  assert.notEqual(position, 'invalid');
  return position as Exclude<typeof position, 'invalid'>;
};

describe('/sessions with 151 live sessions', () => {
  test('a page holds the current session and SESSIONS_PAGE_SIZE others; Older and Newer walk every session exactly once', async () => {
    const t0 = new Date();
    const alice = await signedInUser(secondsLater(t0, -3_000));
    // 150 more, e.g. from before the cap existed or with MAX_SESSIONS_PER_USER raised; some share a millisecond.
    for (let i = 0; i < 150; i++) await createSession(alice.user.id, meta, secondsLater(t0, -Math.floor(i / 3)));
    const stranger = await signedInUser(t0);

    const first = await listActiveSessionsPage(alice.user.id, alice.session.id, { from: 'newest' });
    assert.equal(first.total, 151);
    assert.equal(first.current?.id, alice.session.id);
    assert.equal(first.others.length, SESSIONS_PAGE_SIZE);
    assert.equal(first.newer, null);
    assert.ok(first.older);

    const seen: string[] = [];
    const pages = [first];
    let page = first;
    while (page.older) {
      for (const session of page.others) seen.push(session.id);
      page = await listActiveSessionsPage(alice.user.id, alice.session.id, positionOf({ before: page.older }));
      assert.equal(page.current?.id, alice.session.id, 'the current session is on every page');
      assert.ok(page.others.length <= SESSIONS_PAGE_SIZE);
      pages.push(page);
    }
    for (const session of page.others) seen.push(session.id);
    assert.equal(seen.length, 150);
    assert.equal(new Set(seen).size, 150, 'no session on two pages');
    assert.ok(!seen.includes(alice.session.id) && !seen.includes(stranger.session.id));
    assert.equal(pages.length, 15);

    // Back again with Newer: the same pages.
    const back = await listActiveSessionsPage(alice.user.id, alice.session.id, positionOf({ after: page.newer! }));
    assert.deepEqual(back.others.map((s) => s.id), pages.at(-2)!.others.map((s) => s.id));
  });

  test('a cursor naming another account\'s session shows nothing of that account', async () => {
    const alice = await signedInUser();
    const bob = await signedInUser();
    const cursor = `${bob.session.createdAt.getTime() + 1}.${bob.session.id}`;
    const page = await listActiveSessionsPage(alice.user.id, alice.session.id, positionOf({ before: cursor }));
    assert.ok(page.others.every((session) => session.id !== bob.session.id));
    assert.equal(page.total, 1);
  });
});

describe('each session’s binding tier, as /sessions and /dashboard read it', () => {
  test('the page reads every session’s bindingKind, and the dashboard’s read answers only for the session’s owner', async () => {
    const now = new Date();
    const alice = await signedInUser(now, { bound: true });
    const phone = await createSession(alice.user.id, meta, now);
    const page = await listActiveSessionsPage(alice.user.id, alice.session.id, { from: 'newest' }, now);
    assert.equal(page.current?.bindingKind, 'key_proof');
    assert.deepEqual(page.others.map((row) => [row.id, row.bindingKind]), [[phone.session.id, 'none']]);

    const mallory = await signedInUser(now);
    assert.equal(await readSessionBinding(alice.session.id, alice.user.id), 'key_proof');
    assert.equal(await readSessionBinding(phone.session.id, alice.user.id), 'none');
    assert.equal(await readSessionBinding(alice.session.id, mallory.user.id), null, 'another account learns nothing');
    assert.equal(await readSessionBinding('no-such-session', alice.user.id), null);
  });
});
