/**
 * The names PostgreSQL statements are prepared under (lib/db/postgres-adapter.ts): one per SQL text,
 * stable, within PostgreSQL's 63-byte limit on names, and no more than the cap, past which a statement
 * goes unnamed (parsed each time) so what a connection holds on the server stays bounded.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_NAMED_STATEMENTS, statementNamer } from '../../lib/db/postgres-adapter';

describe('statement names', () => {
  test('the same text gets the same name, a different text a different one', () => {
    const nameOf = statementNamer();
    const a = nameOf('SELECT "id" FROM "User" WHERE "id" = $1');
    assert.equal(nameOf('SELECT "id" FROM "User" WHERE "id" = $1'), a);
    assert.notEqual(nameOf('SELECT "id" FROM "User" WHERE "email" = $1'), a);
    // Two processes (two app instances) name a text alike: a name depends on the text alone.
    assert.equal(statementNamer()('SELECT "id" FROM "User" WHERE "id" = $1'), a);
  });

  test('names fit PostgreSQL identifiers (at most 63 bytes)', () => {
    const name = statementNamer()('SELECT 1'.repeat(1000));
    assert.ok(name && Buffer.byteLength(name) <= 63, name ?? 'no name');
  });

  test(`past ${MAX_NAMED_STATEMENTS} distinct texts a new one goes unnamed; the named ones keep their names`, () => {
    const nameOf = statementNamer(3);
    const named = ['a', 'b', 'c'].map((sql) => nameOf(sql));
    assert.ok(named.every((n) => typeof n === 'string'));
    assert.equal(nameOf('d'), null);
    assert.deepEqual(['a', 'b', 'c'].map((sql) => nameOf(sql)), named);
  });
});
