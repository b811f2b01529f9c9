/**
 * The PostgreSQL pass (scripts/lib/postgres-pass.ts) leaves out no file by accident: a file that uses
 * the test database runs there unless it states why not, and a file that proves something the two
 * databases do differently (transactions, hand-written SQL, racing processes, injected faults, keyset
 * pages) cannot opt out. Checked on scratch directories, then on this repository's own files.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { DATABASE_BEHAVIOUR, INTEGRATION_DIR, postgresPass } from '../../scripts/lib/postgres-pass';

const scratch: string[] = [];
after(() => scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A scratch repository with the given integration files and helpers. */
function repository(integration: Record<string, string>, helpers: Record<string, string> = {}): string {
  const root = mkdtempSync(path.join(tmpdir(), 'postgres-pass-'));
  scratch.push(root);
  mkdirSync(path.join(root, 'tests/integration'), { recursive: true });
  mkdirSync(path.join(root, 'tests/helpers'), { recursive: true });
  writeFileSync(path.join(root, 'tests/helpers/database.ts'), 'export function useTestDatabase(): void {}\n');
  for (const [name, source] of Object.entries(integration)) writeFileSync(path.join(root, 'tests/integration', name), source);
  for (const [name, source] of Object.entries(helpers)) writeFileSync(path.join(root, 'tests/helpers', name), source);
  return root;
}

const USES_DATABASE = "import { useTestDatabase } from '../helpers/database';\nuseTestDatabase();\n";

describe('which files the PostgreSQL pass runs', () => {
  test('a new file that uses the test database runs on PostgreSQL without anyone listing it', () => {
    const pass = postgresPass(repository({ 'new-feature.test.ts': USES_DATABASE }));
    assert.deepEqual(pass.files, ['tests/integration/new-feature.test.ts']);
  });

  test('a file that uses the database through a helper runs on PostgreSQL too', () => {
    const root = repository(
      { 'through-helper.test.ts': "import { attacks } from '../helpers/shared-attacks';\nattacks();\n" },
      { 'shared-attacks.ts': `${USES_DATABASE}export function attacks() {}\n` },
    );
    assert.deepEqual(postgresPass(root).files, ['tests/integration/through-helper.test.ts']);
  });

  test('a file leaves the PostgreSQL pass only with a stated reason', () => {
    const root = repository({
      'fixtures-only.test.ts': `// database: sqlite-only — cookies are written in JavaScript\n${USES_DATABASE}`,
      'races.test.ts': USES_DATABASE,
      'no-database.test.ts': "import { test } from 'node:test';\n",
    });
    const pass = postgresPass(root);
    assert.deepEqual(pass.files, ['tests/integration/races.test.ts']);
    assert.deepEqual(pass.sqliteOnly, [{ file: 'tests/integration/fixtures-only.test.ts', reason: 'cookies are written in JavaScript' }]);
  });

  test('an opt-out without a reason stops the run', () => {
    const root = repository({ 'silent.test.ts': `// database: sqlite-only\n${USES_DATABASE}` });
    assert.throws(() => postgresPass(root), /silent\.test\.ts: "\/\/ database: sqlite-only" needs a reason/);
  });
});

describe("this repository's integration files", () => {
  const pass = postgresPass();
  const all = readdirSync(INTEGRATION_DIR).filter((name) => name.endsWith('.test.ts')).map((name) => path.join(INTEGRATION_DIR, name));

  test('a file that does not use the test database does not open the app database either', () => {
    const outside = all.filter((file) => !pass.databaseFiles.includes(file));
    const opensIt = outside.filter((file) => /lib\/db\/client|helpers\/fixtures/.test(readFileSync(file, 'utf8')));
    assert.deepEqual(opensIt, []);
  });

  test('no file that proves database behaviour runs on SQLite only', () => {
    const wrong = pass.sqliteOnly.filter(({ file }) => DATABASE_BEHAVIOUR.test(readFileSync(file, 'utf8')));
    assert.deepEqual(wrong, []);
  });
});
