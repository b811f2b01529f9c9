/**
 * The benchmark's count of what a rotation asks of the database (scripts/bench/rotation-counts.ts and
 * the counter it loads into the servers, scripts/bench/database-counter.cjs): how a statement is
 * classified, how round trips are told apart on a socket, and how totals become per-request figures.
 * The counter on the real drivers is checked in tests/integration/refresh-rotation-batch.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import counter from '../../scripts/bench/database-counter.cjs';
import { combineCounts, countsPerRequest, describeCounts, type DatabaseCounts } from '../../scripts/bench/rotation-counts';

const totals = (over: Partial<DatabaseCounts>): DatabaseCounts => ({ ...counter.emptyCounts(), ...over });

describe('a statement and its kind', () => {
  test('the first keyword, upper case, after blanks and comment lines', () => {
    assert.equal(counter.statementKind('SELECT 1'), 'SELECT');
    assert.equal(counter.statementKind('  \n update "Session" SET x = 1'), 'UPDATE');
    assert.equal(counter.statementKind('-- a comment\n  INSERT INTO t VALUES (1)'), 'INSERT');
    assert.equal(counter.statementKind('BEGIN'), 'BEGIN');
    assert.equal(counter.statementKind('(SELECT 1)'), 'OTHER');
  });

  test('counted by kind', () => {
    const counts = counter.emptyCounts();
    for (const sql of ['BEGIN', 'UPDATE a', 'UPDATE b', 'INSERT c', 'COMMIT']) counter.countStatement(counts, sql);
    assert.equal(counts.statements, 5);
    assert.deepEqual(counts.byKind, { BEGIN: 1, UPDATE: 2, INSERT: 1, COMMIT: 1 });
  });
});

describe('round trips on a socket', () => {
  test('writes in a row are one round trip; a write after an answer starts the next', () => {
    const turns = counter.turnCounter();
    const started = [turns.wrote(), turns.wrote(), turns.wrote()]; // Parse, Bind, Execute+Sync
    turns.received();
    turns.received(); // an answer that arrives in two pieces
    started.push(turns.wrote());
    assert.deepEqual(started, [true, false, false, true]);
  });
});

describe('per request', () => {
  test('the difference of two readings over the requests answered between them', () => {
    const before = totals({ requests: 10, statements: 60, byKind: { SELECT: 10, UPDATE: 20 }, prepares: 60, roundTrips: 60, connections: 2 });
    const after = totals({ requests: 14, statements: 84, byKind: { SELECT: 14, UPDATE: 28, BEGIN: 4 }, prepares: 84, roundTrips: 80, connections: 2 });
    assert.deepEqual(countsPerRequest(before, after), {
      requests: 4,
      statements: 6,
      byKind: { BEGIN: 1, SELECT: 1, UPDATE: 2 },
      prepares: 6,
      roundTrips: 5,
      connections: 0,
    });
  });

  test('no request between the readings: no figure rather than a division by zero', () => {
    const counts = countsPerRequest(totals({ statements: 3 }), totals({ statements: 5 }));
    assert.equal(counts.requests, 0);
    assert.ok(Number.isNaN(counts.statements));
  });

  test('rounds combined, each weighted by its requests', () => {
    const a = { requests: 100, statements: 6, byKind: { SELECT: 1 }, prepares: 6, roundTrips: 6, connections: 0 };
    const b = { requests: 300, statements: 5, byKind: { SELECT: 1, BEGIN: 1 }, prepares: 5, roundTrips: 4, connections: 0.01 };
    const combined = combineCounts([a, b]);
    assert.equal(combined.requests, 400);
    assert.equal(combined.statements, 5.25);
    assert.equal(combined.roundTrips, 4.5);
    assert.deepEqual(combined.byKind, { BEGIN: 0.75, SELECT: 1 });
  });

  test('described per deployment: round trips only where there is a wire', () => {
    const c = { requests: 10, statements: 6, byKind: { SELECT: 1, UPDATE: 2 }, prepares: 6, roundTrips: 6, connections: 0 };
    assert.match(describeCounts('postgresql', c), /^6 statements \(SELECT 1, UPDATE 2\), 6 round trips to the server$/);
    assert.match(describeCounts('sqlite', c), /^6 statements .*no round trip$/);
  });
});
