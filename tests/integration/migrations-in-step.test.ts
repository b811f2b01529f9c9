/**
 * The two databases' schemas and migration histories kept in step (a drift check).
 *
 * - prisma/postgresql/schema.prisma is what scripts/lib/postgres-schema.ts derives from
 *   prisma/schema.prisma: nobody edited one without the other.
 * - The histories pair up: after PostgreSQL's baseline (its first migration, the SQLite history up to
 *   then squashed into one), every migration exists for both databases under the same directory name,
 *   as `npm run db:migrate:new` writes them.
 * - Each history, replayed onto an empty database, gives exactly its schema file's model (the migration
 *   engine's own diff finds nothing to do), on SQLite and on a real PostgreSQL server.
 *
 * PostgreSQL: a throwaway server (scripts/lib/postgres-server.ts), or the one TEST_POSTGRES_URL names.
 *
 *   node --conditions=react-server --import tsx --import ./tests/helpers/integration-setup.ts --test tests/integration/migrations-in-step.test.ts
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { migrationsMatchSchema, migrationDirectoryNames } from '../../scripts/lib/migrations';
import {
  POSTGRES_MIGRATIONS_DIR,
  POSTGRES_SCHEMA_PATH,
  postgresSchemaFrom,
  SQLITE_MIGRATIONS_DIR,
  SQLITE_SCHEMA_PATH,
} from '../../scripts/lib/postgres-schema';
import { startPostgres, type PostgresServer } from '../../scripts/lib/postgres-server';

const SQLITE_SCRATCH = 'file::memory:';

let server: PostgresServer;
let tmp: string;
before(async () => {
  server = await startPostgres({ fast: true });
  tmp = mkdtempSync(path.join(os.tmpdir(), 'migrations-in-step-'));
});
after(async () => {
  await server?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('one model for both databases', () => {
  test('prisma/postgresql/schema.prisma is derived from prisma/schema.prisma (run `npm run setup` if not)', () => {
    assert.equal(readFileSync(POSTGRES_SCHEMA_PATH, 'utf8'), postgresSchemaFrom(readFileSync(SQLITE_SCHEMA_PATH, 'utf8')));
  });
});

describe('the migration histories pair up', () => {
  test('every migration after the PostgreSQL baseline exists for both databases under the same name', async () => {
    const [baseline, ...postgresAfterBaseline] = await migrationDirectoryNames(POSTGRES_MIGRATIONS_DIR);
    assert.ok(baseline, 'PostgreSQL has a baseline migration');
    const sqliteAfterBaseline = (await migrationDirectoryNames(SQLITE_MIGRATIONS_DIR)).filter((name) => name > baseline);
    assert.deepEqual(
      postgresAfterBaseline,
      sqliteAfterBaseline,
      'SQLite and PostgreSQL migrations newer than the baseline differ: write both with `npm run db:migrate:new -- <name>`',
    );
  });
});

describe('replaying each history onto an empty database gives exactly its schema', () => {
  test('SQLite: prisma/migrations builds prisma/schema.prisma', async () => {
    assert.deepEqual(await migrationsMatchSchema(SQLITE_SCRATCH), { matches: true, difference: null });
  });

  test('PostgreSQL: prisma/postgresql/migrations builds prisma/postgresql/schema.prisma', async () => {
    assert.deepEqual(await migrationsMatchSchema(server.adminUrl), { matches: true, difference: null });
  });

  // The control: the same check on a schema changed without a migration reports the change, on both.
  for (const [provider, schemaPath, migrationsDir] of [
    ['SQLite', SQLITE_SCHEMA_PATH, SQLITE_MIGRATIONS_DIR],
    ['PostgreSQL', POSTGRES_SCHEMA_PATH, POSTGRES_MIGRATIONS_DIR],
  ] as const) {
    test(`${provider}: a field added to the schema without a migration is found, with the SQL it needs`, async () => {
      const changed = path.join(tmp, `${provider}.prisma`);
      writeFileSync(changed, readFileSync(schemaPath, 'utf8').replace(/^model User \{\n/m, 'model User {\n  nickname String?\n'));
      const url = provider === 'SQLite' ? SQLITE_SCRATCH : server.adminUrl;
      const result = await migrationsMatchSchema(url, { schemaPath: changed, migrationsDir });
      assert.equal(result.matches, false);
      assert.match(result.difference ?? '', /ALTER TABLE "User" ADD COLUMN +"nickname" TEXT/);
    });

    test(`${provider}: a migration the schema does not have is found too`, async () => {
      const copy = path.join(tmp, `${provider}-migrations`);
      cpSync(migrationsDir, copy, { recursive: true });
      const extra = path.join(copy, '29991231235959_stray_table');
      cpSync(path.join(copy, (await migrationDirectoryNames(copy))[0]), extra, { recursive: true });
      writeFileSync(path.join(extra, 'migration.sql'), 'CREATE TABLE "Stray" ("id" INTEGER NOT NULL PRIMARY KEY);\n');
      const result = await migrationsMatchSchema(provider === 'SQLite' ? SQLITE_SCRATCH : server.adminUrl, { migrationsDir: copy });
      assert.equal(result.matches, false);
      assert.match(result.difference ?? '', /DROP TABLE "Stray"/);
    });
  }
});
