/**
 * Integration tests run against a real database through Prisma: a fresh one per test file (node's test
 * runner gives each file its own process), migrated with the project's own migrations. Which database,
 * and the test configuration, tests/helpers/integration-setup.ts chose before the file was loaded.
 *
 * With TEST_POSTGRES_TEMPLATE (scripts/test-postgres.ts migrates one database once and names it here)
 * a PostgreSQL test database is a copy of that one, and the migrations find nothing pending.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { after, before } from 'node:test';
import { applyMigrations } from '../../scripts/lib/migrations';
import { createDatabase, dropDatabase } from '../../scripts/lib/postgres-server';

if (!process.env.TEST_DATABASE_URL) {
  throw new Error(
    'No test database: run integration tests with `npm run test:integration`, or add ' +
      '`--import ./tests/helpers/integration-setup.ts` after `--import tsx`',
  );
}

export const TEST_DATABASE_PROVIDER = process.env.TEST_DATABASE === 'postgresql' ? 'postgresql' : 'sqlite';
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;
const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? '';
const POSTGRES_TEMPLATE = process.env.TEST_POSTGRES_TEMPLATE || undefined;

/** Registers before/after hooks: create and migrate the test database, and close and delete it at the end. */
export function useTestDatabase(): void {
  before(async () => {
    if (TEST_DATABASE_PROVIDER === 'postgresql') {
      await createDatabase(POSTGRES_ADMIN_URL, postgresDatabase(), { template: POSTGRES_TEMPLATE });
    }
    await applyMigrations(TEST_DATABASE_URL);
  });
  after(async () => {
    const { db } = await import('../../lib/db/client');
    await db().$disconnect();
    if (TEST_DATABASE_PROVIDER === 'postgresql') await dropDatabase(POSTGRES_ADMIN_URL, postgresDatabase());
    else rmSync(path.dirname(TEST_DATABASE_URL.slice('file:'.length)), { recursive: true, force: true });
  });
}

/** The PostgreSQL database's name: the path of its URL. */
const postgresDatabase = () => new URL(TEST_DATABASE_URL).pathname.slice(1);
