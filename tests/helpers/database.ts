/**
 * Integration tests run against a real SQLite file through Prisma: a fresh temporary database per test
 * file (node's test runner gives each file its own process), migrated with the project's own
 * migrations. Import this module before anything that reads the configuration.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { applyMigrations } from '../../scripts/lib/migrations';

const directory = mkdtempSync(path.join(tmpdir(), 'sessions-test-'));
export const TEST_DATABASE_URL = `file:${path.join(directory, 'test.db')}`;

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

/** Registers before/after hooks: migrate the temporary database, and close and delete it at the end. */
export function useTestDatabase(): void {
  before(async () => {
    await applyMigrations(TEST_DATABASE_URL);
  });
  after(async () => {
    const { db } = await import('../../lib/db/client');
    await db().$disconnect();
    rmSync(directory, { recursive: true, force: true });
  });
}
