/**
 * SQLite statements prepared once per connection and reused (lib/db/sqlite-adapter.ts,
 * `reusePreparedStatements`): Prisma's adapter binds parameters to a statement for good, so it is
 * handed a view that records them and passes them on each run. Checked against a stand-in for
 * better-sqlite3 that records what it is asked; the real driver runs under every integration test.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { reusePreparedStatements } from '../../lib/db/sqlite-adapter';

type Connection = Parameters<typeof reusePreparedStatements>[0];
type Statement = ReturnType<Connection['prepare']>;

/** A stand-in connection: counts prepares, and records each statement's runs with their parameters and mode. */
function fakeConnection() {
  const prepared: string[] = [];
  const calls: string[] = [];
  const connection: Connection = {
    prepare(sql: string): Statement {
      prepared.push(sql);
      let raw = false;
      let bound: unknown[] | undefined;
      const statement = {
        reader: sql.startsWith('SELECT'),
        columns: () => [{ name: 'x' }],
        // As better-sqlite3: bind() binds for good (a second bind throws), run() then takes no parameters.
        bind: (...args: unknown[]): Statement => {
          if (bound) throw new TypeError('The bind() method can only be invoked once per statement object');
          bound = args;
          return statement;
        },
        run: (...args: unknown[]) => calls.push(`run ${sql} ${JSON.stringify(bound ?? args)}`),
        raw(toggle = true): Statement {
          if (!statement.reader) throw new TypeError('raw() is only for statements that return data');
          raw = toggle;
          return statement;
        },
        all: (...args: unknown[]) => {
          calls.push(`all${raw ? ' raw' : ''} ${sql} ${JSON.stringify(bound ?? args)}`);
          return [];
        },
      };
      return statement;
    },
  };
  return { connection, prepared, calls };
}

describe('statements prepared once per connection', () => {
  test('each text is prepared once; every use runs it with the parameters its own bind() named', () => {
    const { connection, prepared, calls } = fakeConnection();
    reusePreparedStatements(connection, 10);
    // As Prisma's adapter uses a statement: prepare(sql).bind(args), then run(), or raw().all().
    const first = connection.prepare('UPDATE t SET a = ?').bind([1]);
    const second = connection.prepare('UPDATE t SET a = ?').bind([2]);
    second.run();
    first.run();
    const read = connection.prepare('SELECT a FROM t WHERE b = ?').bind(['x']);
    assert.equal(read.reader, true);
    assert.deepEqual(read.columns(), [{ name: 'x' }]);
    read.raw().all();
    connection.prepare('SELECT a FROM t WHERE b = ?').bind(['y']).all();
    connection.prepare('BEGIN').run();
    assert.deepEqual(prepared, ['UPDATE t SET a = ?', 'SELECT a FROM t WHERE b = ?', 'BEGIN']);
    assert.deepEqual(calls, [
      'run UPDATE t SET a = ? [[2]]',
      'run UPDATE t SET a = ? [[1]]',
      'all raw SELECT a FROM t WHERE b = ? [["x"]]',
      'all SELECT a FROM t WHERE b = ? [["y"]]',
      'run BEGIN []',
    ]);
  });

  test('past the cap a new text is prepared for each use (and bound for good, as before), and the kept ones stay', () => {
    const { connection, prepared, calls } = fakeConnection();
    reusePreparedStatements(connection, 2);
    for (const [i, sql] of ['A', 'B', 'C', 'C', 'A', 'B'].entries()) connection.prepare(sql).bind([i]).run();
    assert.deepEqual(prepared, ['A', 'B', 'C', 'C']);
    assert.deepEqual(calls, ['run A [[0]]', 'run B [[1]]', 'run C [[2]]', 'run C [[3]]', 'run A [[4]]', 'run B [[5]]']);
  });
});
