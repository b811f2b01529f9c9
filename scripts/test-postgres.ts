/**
 * The integration suites again, against PostgreSQL (`npm run test:postgres`, part of `npm test`).
 *
 * Starts a throwaway PostgreSQL (scripts/lib/postgres-server.ts: Debian's package, or the server at
 * TEST_POSTGRES_URL), then runs every integration test file that uses the test database
 * (tests/helpers/database.ts) with TEST_DATABASE=postgresql and the same preload as
 * `npm run test:integration` (tests/helpers/integration-setup.ts): each file gets a database of its
 * own on that server, a copy of one
 * template database migrated here once with prisma/postgresql/migrations (copying is much cheaper than
 * starting the migration engine in every file). Files that use no database ran once already and are not
 * repeated; the few that test SQLite itself (its adapter, its file) say so with a line
 * `// database: sqlite-only — <why>` and run on SQLite only.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { applyMigrations } from './lib/migrations';
import { createDatabase, dropDatabase, startPostgres } from './lib/postgres-server';

const INTEGRATION_DIR = 'tests/integration';
const PRELOAD = './tests/helpers/integration-setup.ts';
// A file that tests SQLite itself says so, and why, in a line of its own: `// database: sqlite-only — <why>`.
const SQLITE_ONLY = /^\/\/ database: sqlite-only\b(.*)$/m;

const requested = process.argv.slice(2);
const databaseFiles = readdirSync(INTEGRATION_DIR)
  .filter((name) => name.endsWith('.test.ts'))
  .map((name) => path.join(INTEGRATION_DIR, name))
  .filter((file) => readFileSync(file, 'utf8').includes('useTestDatabase('))
  .sort();
const sqliteOnly = databaseFiles.flatMap((file) => {
  const marker = SQLITE_ONLY.exec(readFileSync(file, 'utf8'));
  if (marker === null) return [];
  const reason = marker[1].replace(/^\s*[—–-]\s*/, '').trim();
  // An unexplained exclusion would quietly shrink the PostgreSQL run: refuse it.
  if (reason === '') throw new Error(`${file}: "// database: sqlite-only" needs a reason: "// database: sqlite-only — <why>"`);
  return [{ file, reason }];
});
const files = requested.length > 0 ? requested : databaseFiles.filter((file) => !sqliteOnly.some((only) => only.file === file));
if (requested.length === 0) {
  for (const { file, reason } of sqliteOnly) console.log(`test:postgres: ${file} runs on SQLite only: ${reason}`);
}

const server = await startPostgres({ fast: true });
// Unique: TEST_POSTGRES_URL may name a server that other runs use too.
const template = `test_template_${randomBytes(6).toString('hex')}`;
let status = 1;
try {
  await applyMigrations(await createDatabase(server.adminUrl, template));
  console.log(`test:postgres: ${files.length} files against PostgreSQL`);
  const run = spawnSync(
    process.execPath,
    ['--conditions=react-server', '--import', 'tsx', '--import', PRELOAD, '--test', '--test-concurrency=2', ...files],
    {
      stdio: 'inherit',
      env: { ...process.env, TEST_DATABASE: 'postgresql', TEST_POSTGRES_URL: server.adminUrl, TEST_POSTGRES_TEMPLATE: template },
    },
  );
  status = run.status ?? 1;
} finally {
  await dropDatabase(server.adminUrl, template).catch(() => undefined);
  await server.stop();
}
process.exit(status);
