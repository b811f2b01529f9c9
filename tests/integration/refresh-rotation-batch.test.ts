/**
 * The rotation's write step is one batch transaction (lib/session/rotation-store.ts, `consumeToken`):
 * consume the token, touch the session, insert the successor. These tests pin down what that batch must
 * guarantee, and what it was made for: a rotation short enough that 50 concurrent chains do not queue
 * behind each other (docs/benchmarks.md).
 *
 * - A write that lands between the lookup and the batch (a logout, the session ending, a sibling)
 *   leaves no trace of the loser: the token consumed once, one successor at most. A loser that read the
 *   token live is a sibling however long ago the winner arrived, and is refused if the session ended
 *   meanwhile; one that found the session timed out while a sibling renewed it decides again. The interloper is
 *   placed there deterministically: it runs when the rotation opens its write transaction.
 * - Concurrent chains with a parallel sibling at every step: never a false reuse detection.
 * - The statements: one lookup, then only writes inside the transaction (on SQLite a transaction that
 *   reads first cannot wait for another process's write lock: lib/db/sqlite-adapter.ts); and what the
 *   drivers execute for one rotation, counted as the benchmark counts it in its servers
 *   (scripts/bench/database-counter.cjs): statements, and on PostgreSQL round trips on the wire.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, describe, test } from 'node:test';
import counter from '../../scripts/bench/database-counter.cjs';
import { TEST_DATABASE_PROVIDER, TEST_DATABASE_URL, useTestDatabase } from '../helpers/database';
import { meta, secondsLater, signedInUser } from '../helpers/fixtures';
import { betweenReadAndWrite } from '../helpers/interleave';
import { createPrismaClient, type PrismaClient } from '../../lib/db/client';

// The drivers counted below, before any connection opens (pg's round trips are seen on sockets it opens after).
const drivers = counter.emptyCounts();
const fromHere = createRequire(import.meta.url);
counter.instrumentPg(drivers, fromHere('pg'));
counter.instrumentBetterSqlite3(drivers, fromHere('better-sqlite3'));

// A client that reports every statement it runs, installed where lib/db/client.ts looks for it first.
const statements: string[] = [];
const client = createPrismaClient(TEST_DATABASE_URL, { log: [{ emit: 'event', level: 'query' }] });
client.$on('query', (event) => statements.push(event.query));
(globalThis as unknown as { prisma: PrismaClient }).prisma = client;
after(() => client.$disconnect());

const { db } = await import('../../lib/db/client');
const { rotateRefreshToken } = await import('../../lib/session/rotate-refresh-token');
const { MAX_ROTATIONS_PER_ACCESS_TOKEN_LIFETIME } = await import('../../lib/session/rotation-decision');
const { revokeSession } = await import('../../lib/session/session-store');
const { getConfig } = await import('../../lib/config/config');

const GRACE_SECONDS = getConfig().REFRESH_REUSE_GRACE_SECONDS;
const { hashRefreshToken } = await import('../../lib/tokens/refresh-token');

useTestDatabase();

/** Runs `interloper` once, when the rotation opens its write transaction: after its lookup, before its writes. */
const betweenLookupAndWrite = <T>(interloper: () => Promise<unknown>, rotation: () => Promise<T>) => betweenReadAndWrite(interloper, rotation, client);

const tokensOf = (sessionId: string) => db().refreshToken.findMany({ where: { sessionId }, orderBy: { createdAt: 'asc' } });

describe('the rotation batch: all of it or none of it', () => {
  test('logout between the lookup and the write: refused as the session now reads, nothing consumed, no successor', async () => {
    const { session, refreshToken } = await signedInUser();
    const outcome = await betweenLookupAndWrite(
      () => revokeSession(session.id, 'logout'),
      () => rotateRefreshToken(refreshToken, meta),
    );
    assert.deepEqual(outcome, { status: 'rejected', reason: 'revoked', revokedReason: 'logout' });
    const tokens = await tokensOf(session.id);
    assert.equal(tokens.length, 1, 'no successor was written');
    assert.equal(tokens[0].rotatedAt, null, 'the token was not consumed');
  });

  test('the session ends between the lookup and the write (its token left live): the consume is rolled back', async () => {
    const { session, refreshToken } = await signedInUser();
    // A writer that ends the session row without withdrawing its token: the batch's own condition on
    // the session must stop the rotation, after its first statement already consumed the token.
    const outcome = await betweenLookupAndWrite(
      () => db().session.update({ where: { id: session.id }, data: { revokedAt: new Date(), revokedReason: 'logout' } }),
      () => rotateRefreshToken(refreshToken, meta),
    );
    assert.equal(outcome.status, 'rejected');
    const tokens = await tokensOf(session.id);
    assert.equal(tokens.length, 1, 'no successor was written');
    assert.equal(tokens[0].rotatedAt, null, 'the consume was rolled back with the rest of the batch');
  });

  test('a sibling that took the token between the lookup and the write: this one becomes a sibling, one successor', async () => {
    const { session, refreshToken } = await signedInUser();
    let first: Awaited<ReturnType<typeof rotateRefreshToken>> | undefined;
    const second = await betweenLookupAndWrite(
      async () => (first = await rotateRefreshToken(refreshToken, meta)),
      () => rotateRefreshToken(refreshToken, meta),
    );
    assert.equal(first?.status, 'rotated');
    assert.equal(second.status, 'sibling');
    const live = (await tokensOf(session.id)).filter((t) => t.rotatedAt === null && t.revokedAt === null);
    assert.equal(live.length, 1);
    assert.equal(second.status === 'sibling' && second.refreshToken?.token, first?.status === 'rotated' && first.refreshToken.token);
  });
});

// Each of these once signed a person out, or answered an ended session, when a busy server let another
// request's write land between this request's read and its own write.
describe('a write between the lookup and the write, on a busy server: nobody signed out by the race', () => {
  test('a sibling whose winner arrived more than the grace window earlier, but wrote after this one read: still a sibling, the session goes on', async () => {
    const signIn = new Date('2026-03-03T08:00:00Z');
    const { session, refreshToken } = await signedInUser(signIn);
    const firstArrival = secondsLater(signIn, 60);
    let first: Awaited<ReturnType<typeof rotateRefreshToken>> | undefined;
    const second = await betweenLookupAndWrite(
      async () => (first = await rotateRefreshToken(refreshToken, meta, firstArrival)),
      () => rotateRefreshToken(refreshToken, meta, secondsLater(firstArrival, GRACE_SECONDS + 1)),
    );
    assert.equal(first?.status, 'rotated');
    assert.equal(second.status, 'sibling', JSON.stringify(second));
    assert.equal(second.status === 'sibling' && second.refreshToken?.token, first?.status === 'rotated' && first.refreshToken.token);
    const row = await db().session.findUniqueOrThrow({ where: { id: session.id } });
    assert.deepEqual({ revokedAt: row.revokedAt, revokedReason: row.revokedReason }, { revokedAt: null, revokedReason: null }, 'no reuse detected');
  });

  test('a session ended after the winner rotated: the loser is refused as it ended, with no new access token', async () => {
    const { session, refreshToken } = await signedInUser();
    const outcome = await betweenLookupAndWrite(
      async () => {
        assert.equal((await rotateRefreshToken(refreshToken, meta)).status, 'rotated');
        await revokeSession(session.id, 'revoked_by_user');
      },
      () => rotateRefreshToken(refreshToken, meta),
    );
    assert.deepEqual(outcome, { status: 'rejected', reason: 'revoked', revokedReason: 'revoked_by_user' });
  });

  for (const lateBy of [1, GRACE_SECONDS + 1]) {
    test(`a renewal found past the idle deadline (arriving ${lateBy} s after it) while a sibling renewed the session: decided again, a sibling, the session lives`, async () => {
      const signIn = new Date('2026-03-02T08:00:00Z');
      const { session, refreshToken } = await signedInUser(signIn);
      const deadline = secondsLater(signIn, getConfig().SESSION_IDLE_TIMEOUT_SECONDS);
      // One renewal arrived a second before the deadline, this one after it; this one read first. Even
      // when the other arrived more than the grace window earlier, it wrote after this one read.
      let first: Awaited<ReturnType<typeof rotateRefreshToken>> | undefined;
      const late = await betweenLookupAndWrite(
        async () => (first = await rotateRefreshToken(refreshToken, meta, secondsLater(deadline, -1))),
        () => rotateRefreshToken(refreshToken, meta, secondsLater(deadline, lateBy)),
      );
      assert.equal(first?.status, 'rotated');
      assert.equal(late.status, 'sibling', `not refused, not taken for reuse: ${JSON.stringify(late)}`);
      assert.equal((await db().session.findUniqueOrThrow({ where: { id: session.id } })).revokedAt, null);
    });
  }
});

describe('concurrent chains (the benchmark\'s refresh scenario, in process)', () => {
  test(`50 chains of ${MAX_ROTATIONS_PER_ACCESS_TOKEN_LIFETIME} rotations, two tabs refreshing at every step: no error, no false reuse detection`, async () => {
    const t0 = new Date(Date.now() - 3_600_000);
    const starts = await Promise.all(Array.from({ length: 50 }, () => signedInUser(t0)));
    const outcomes: string[] = [];
    await Promise.all(
      starts.map(async ({ refreshToken }) => {
        let token = refreshToken;
        for (let step = 0; step < MAX_ROTATIONS_PER_ACCESS_TOKEN_LIFETIME; step++) {
          // Steps further apart than the grace window (10 s in tests): a younger successor is not rotated again.
          const at = secondsLater(t0, 60 + step * 11);
          const pair = await Promise.all([rotateRefreshToken(token, meta, at), rotateRefreshToken(token, meta, at)]);
          outcomes.push(...pair.map((o) => o.status));
          const winner = pair.find((o) => o.status === 'rotated');
          assert.ok(winner?.status === 'rotated', JSON.stringify(pair));
          token = winner.refreshToken.token;
        }
      }),
    );
    const total = 50 * MAX_ROTATIONS_PER_ACCESS_TOKEN_LIFETIME;
    assert.equal(outcomes.filter((s) => s === 'rotated').length, total);
    assert.equal(outcomes.filter((s) => s === 'sibling').length, total);
    const ids = starts.map((s) => s.session.id);
    assert.equal(await db().session.count({ where: { id: { in: ids }, revokedAt: { not: null } } }), 0, 'no session was revoked');
    assert.equal(await db().securityEvent.count({ where: { type: 'refresh_token_reuse' } }), 0);
    for (const id of ids) {
      const tokens = await tokensOf(id);
      assert.equal(tokens.length, 1 + MAX_ROTATIONS_PER_ACCESS_TOKEN_LIFETIME, 'one row per rotation, none for siblings');
      assert.equal(tokens.filter((t) => t.rotatedAt === null).length, 1, 'exactly one live token per session');
    }
  });
});

describe('what a rotation costs the database', () => {
  test('one lookup (token, session, user and rotation budget in one statement), then a transaction of three writes and no read', async () => {
    const t0 = new Date();
    const { session, refreshToken } = await signedInUser(t0);
    statements.length = 0;
    const outcome = await rotateRefreshToken(refreshToken, meta, secondsLater(t0, 1));
    assert.equal(outcome.status, 'rotated');
    const kinds = statements.map((sql) => sql.trim().split(/\s+/)[0].toUpperCase());
    const firstWrite = kinds.findIndex((k) => k === 'UPDATE');
    assert.deepEqual(kinds.slice(0, firstWrite), ['SELECT'], statements.join('\n'));
    assert.deepEqual(kinds.slice(firstWrite), ['UPDATE', 'UPDATE', 'INSERT', 'COMMIT'], statements.join('\n'));
    const successor = outcome.status === 'rotated' ? hashRefreshToken(outcome.refreshToken.token) : '';
    assert.equal((await tokensOf(session.id)).at(-1)?.tokenHash, successor);
  });

  test(`what the ${TEST_DATABASE_PROVIDER} driver executes for one rotation: statements, BEGIN and COMMIT included, and round trips`, async () => {
    const t0 = new Date();
    const { refreshToken } = await signedInUser(t0);
    const before = structuredClone(drivers);
    const outcome = await rotateRefreshToken(refreshToken, meta, secondsLater(t0, 1));
    assert.equal(outcome.status, 'rotated');
    const kinds = Object.fromEntries(Object.entries(drivers.byKind).map(([kind, n]) => [kind, n - (before.byKind[kind] ?? 0)]).filter(([, n]) => n !== 0));
    assert.deepEqual(kinds, { SELECT: 1, BEGIN: 1, UPDATE: 2, INSERT: 1, COMMIT: 1 });
    assert.equal(drivers.statements - before.statements, 6);
    // PostgreSQL: each statement is one wait for the server, the transaction's included (a connection's
    // start-up counts apart); SQLite runs in this process and sends nothing over a socket.
    assert.equal(drivers.roundTrips - before.roundTrips, TEST_DATABASE_PROVIDER === 'postgresql' ? 6 : 0);
  });
});
