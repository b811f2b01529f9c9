/**
 * Integration tests run against a real database through Prisma: a fresh one per test file (node's test
 * runner gives each file its own process), migrated with the project's own migrations. Import this
 * module before anything that reads the configuration.
 *
 * - By default, a temporary SQLite file.
 * - With TEST_DATABASE=postgresql (scripts/test-postgres.ts sets it), a new database on the PostgreSQL
 *   server at TEST_POSTGRES_URL, dropped at the end: the same suites, against the other deployment.
 *   With TEST_POSTGRES_TEMPLATE (the runner migrates one database once and names it here) the new
 *   database is a copy of that one, and the migrations find nothing pending.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { applyMigrations } from '../../scripts/lib/migrations';
import { createDatabase, databaseUrl, dropDatabase } from '../../scripts/lib/postgres-server';

export const TEST_DATABASE_PROVIDER = process.env.TEST_DATABASE === 'postgresql' ? 'postgresql' : 'sqlite';
const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? '';
const POSTGRES_TEMPLATE = process.env.TEST_POSTGRES_TEMPLATE || undefined;
if (TEST_DATABASE_PROVIDER === 'postgresql' && !POSTGRES_ADMIN_URL) {
  throw new Error('TEST_DATABASE=postgresql needs TEST_POSTGRES_URL (run the suite through `npm run test:postgres`)');
}

const directory = mkdtempSync(path.join(tmpdir(), 'sessions-test-'));
const postgresDatabase = `test_${randomBytes(8).toString('hex')}`;
export const TEST_DATABASE_URL =
  TEST_DATABASE_PROVIDER === 'postgresql'
    ? databaseUrl(POSTGRES_ADMIN_URL, postgresDatabase)
    : `file:${path.join(directory, 'test.db')}`;

// Test configuration, set before any lib module reads it (getConfig() parses on first use).
process.env.DATABASE_URL = TEST_DATABASE_URL;
process.env.ACCESS_TOKEN_KEYS = `test-current:${randomBytes(32).toString('base64url')},test-previous:${randomBytes(32).toString('base64url')}`;
process.env.ACCESS_TOKEN_TTL_SECONDS ??= '300';
process.env.SESSION_IDLE_TIMEOUT_SECONDS ??= '3600';
process.env.SESSION_ABSOLUTE_TIMEOUT_SECONDS ??= '86400';
process.env.REFRESH_REUSE_GRACE_SECONDS ??= '10';
process.env.REAUTH_MAX_AGE_SECONDS ??= '600';
process.env.LOGIN_MAX_FAILURES ??= '5';
process.env.LOGIN_FAILURE_WINDOW_SECONDS ??= '900';

/** Registers before/after hooks: create and migrate the test database, and close and delete it at the end. */
export function useTestDatabase(): void {
  before(async () => {
    if (TEST_DATABASE_PROVIDER === 'postgresql') {
      await createDatabase(POSTGRES_ADMIN_URL, postgresDatabase, { template: POSTGRES_TEMPLATE });
    }
    await applyMigrations(TEST_DATABASE_URL);
  });
  after(async () => {
    const { db } = await import('../../lib/db/client');
    await db().$disconnect();
    if (TEST_DATABASE_PROVIDER === 'postgresql') await dropDatabase(POSTGRES_ADMIN_URL, postgresDatabase);
    rmSync(directory, { recursive: true, force: true });
  });
}
