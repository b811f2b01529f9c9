/**
 * Preloaded into every integration test process (`node --import ./tests/helpers/integration-setup.ts
 * --test ...`, as `npm run test:integration` and scripts/test-postgres.ts run them): picks this file's
 * own fresh database and sets the test configuration before the test file, or any lib module it
 * imports, reads the environment. tests/helpers/database.ts creates, migrates and removes that database.
 *
 * - By default, a temporary SQLite file (its directory is created when the database is migrated).
 * - With TEST_DATABASE=postgresql (scripts/test-postgres.ts sets it), a new database on the PostgreSQL
 *   server at TEST_POSTGRES_URL.
 *
 * Node also loads a preload into the runner's own process: there it only sets these variables, which
 * each test process then sets afresh. Why a preload: docs/decisions/0030-unit-and-integration-tests.md.
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { databaseUrl } from '../../scripts/lib/postgres-server';

const postgres = process.env.TEST_DATABASE === 'postgresql';
if (postgres && !process.env.TEST_POSTGRES_URL) {
  throw new Error('TEST_DATABASE=postgresql needs TEST_POSTGRES_URL (run the suite through `npm run test:postgres`)');
}

const name = randomBytes(8).toString('hex');
process.env.TEST_DATABASE_URL = postgres
  ? databaseUrl(process.env.TEST_POSTGRES_URL!, `test_${name}`)
  : `file:${path.join(tmpdir(), `sessions-test-${name}`, 'test.db')}`;

// The test configuration. `=` where every process needs its own value, `??=` where a caller may choose.
process.env.DATABASE_URL = process.env.TEST_DATABASE_URL;
process.env.ACCESS_TOKEN_KEYS = `test-current:${randomBytes(32).toString('base64url')},test-previous:${randomBytes(32).toString('base64url')}`;
process.env.ACCESS_TOKEN_TTL_SECONDS ??= '300';
process.env.SESSION_IDLE_TIMEOUT_SECONDS ??= '3600';
process.env.SESSION_ABSOLUTE_TIMEOUT_SECONDS ??= '86400';
process.env.REFRESH_REUSE_GRACE_SECONDS ??= '10';
process.env.REAUTH_MAX_AGE_SECONDS ??= '600';
process.env.LOGIN_MAX_FAILURES ??= '5';
process.env.LOGIN_FAILURE_WINDOW_SECONDS ??= '900';
