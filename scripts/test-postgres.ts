/**
 * The integration suites again, against PostgreSQL (`npm run test:postgres`, part of `npm test`).
 *
 * Starts a throwaway PostgreSQL (scripts/lib/postgres-server.ts: Debian's package, or the server at
 * TEST_POSTGRES_URL), then runs every test file that uses a database (tests/helpers/database.ts) with
 * TEST_DATABASE=postgresql: each file gets a database of its own on that server, migrated with
 * prisma/postgresql/migrations. Files that use no database ran once already and are not repeated; the
 * few that test SQLite itself (its adapter, its file) say so and run on SQLite only.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startPostgres } from './lib/postgres-server';

const UNIT_DIR = 'tests/unit';
const requested = process.argv.slice(2);
const files =
  requested.length > 0
    ? requested
    : readdirSync(UNIT_DIR)
        .filter((name) => name.endsWith('.test.ts'))
        .map((name) => path.join(UNIT_DIR, name))
        .filter((file) => {
          const source = readFileSync(file, 'utf8');
          return source.includes('useTestDatabase(') && !/^\/\/ database: sqlite-only\b/m.test(source);
        })
        .sort();

const server = await startPostgres({ fast: true });
let status = 1;
try {
  console.log(`test:postgres: ${files.length} files against PostgreSQL`);
  const run = spawnSync(
    process.execPath,
    ['--conditions=react-server', '--import', 'tsx', '--test', '--test-concurrency=2', ...files],
    { stdio: 'inherit', env: { ...process.env, TEST_DATABASE: 'postgresql', TEST_POSTGRES_URL: server.adminUrl } },
  );
  status = run.status ?? 1;
} finally {
  await server.stop();
}
process.exit(status);
