/**
 * The integration suites again, against PostgreSQL (`npm run test:postgres`, part of `npm test`): a
 * throwaway server (scripts/lib/postgres-server.ts, or TEST_POSTGRES_URL), one template database
 * migrated once and copied for each file, then the files scripts/lib/postgres-pass.ts selects (those
 * whose database is not just where their fixtures live), compiled and run as
 * `npm run test:integration` runs them (scripts/lib/node-tests.ts). Why those files, and why `--liftoff-only`:
 * docs/decisions/0085-postgres-pass-files.md, docs/decisions/0086-test-processes-cheaper.md.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { applyMigrations } from './lib/migrations';
import { runNodeTests } from './lib/node-tests';
import { postgresPass } from './lib/postgres-pass';
import { createDatabase, dropDatabase, startPostgres } from './lib/postgres-server';

const requested = process.argv.slice(2);
const pass = postgresPass();
const files = requested.length > 0 ? requested : pass.files;
if (requested.length === 0) {
  const names = pass.sqliteOnly.map(({ file }) => path.basename(file, '.test.ts')).join(', ');
  console.log(`test:postgres: on SQLite only, each with its reason (// database: sqlite-only): ${names}`);
}

const server = await startPostgres({ fast: true });
// Unique: TEST_POSTGRES_URL may name a server that other runs use too.
const template = `test_template_${randomBytes(6).toString('hex')}`;
let status = 1;
try {
  await applyMigrations(await createDatabase(server.adminUrl, template));
  console.log(`test:postgres: ${files.length} files against PostgreSQL`);
  status = await runNodeTests('integration', files, {
    ...process.env,
    TEST_DATABASE: 'postgresql',
    TEST_POSTGRES_URL: server.adminUrl,
    TEST_POSTGRES_TEMPLATE: template,
  });
} finally {
  await dropDatabase(server.adminUrl, template).catch(() => undefined);
  await server.stop();
}
process.exit(status);
