/**
 * The migration tooling (scripts/lib/migrations.ts) against a real PostgreSQL server: what
 * tests/integration/migrations.test.ts checks on SQLite files. Each test works on databases of its own on a
 * throwaway server (scripts/lib/postgres-server.ts, or the one TEST_POSTGRES_URL names); nothing here
 * writes to the project's prisma/ folder: a test that needs another migration works on a copy.
 *
 *   node --conditions=react-server --import tsx --import ./tests/helpers/integration-setup.ts --test tests/integration/migrations-postgres.test.ts
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { applyMigrations, migrationsMatchSchema, migrationStatus, migrationDirectoryNames } from '../../scripts/lib/migrations';
import { POSTGRES_MIGRATIONS_DIR } from '../../scripts/lib/postgres-schema';
import { createDatabase, databaseUrl, startPostgres, type PostgresServer } from '../../scripts/lib/postgres-server';

let server: PostgresServer;
let tmp: string;
before(async () => {
  server = await startPostgres({ fast: true });
  tmp = mkdtempSync(path.join(os.tmpdir(), 'migrations-postgres-'));
});
after(async () => {
  await server?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const freshName = () => `migrations_${randomBytes(6).toString('hex')}`;

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

const databaseNames = async () => (await query<{ datname: string }>(server.adminUrl, 'SELECT datname FROM pg_database')).map((r) => r.datname);
const shadowDatabases = async () => (await databaseNames()).filter((name) => name.startsWith('prisma_migrate_shadow_db_'));

type MigrationRow = { migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number };
const recorded = (url: string) =>
  query<MigrationRow>(url, 'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name');

describe('applyMigrations on PostgreSQL', () => {
  test('applies every migration in order on an empty database, recording each with its checksum', async () => {
    const url = await createDatabase(server.adminUrl, freshName());
    const { applied } = await applyMigrations(url);
    assert.deepEqual(applied, (await migrationDirectoryNames(POSTGRES_MIGRATIONS_DIR)));
    const rows = await recorded(url);
    assert.deepEqual(rows.map((r) => r.migration_name), (await migrationDirectoryNames(POSTGRES_MIGRATIONS_DIR)));
    for (const row of rows) {
      const sql = readFileSync(path.join(POSTGRES_MIGRATIONS_DIR, row.migration_name, 'migration.sql'));
      assert.equal(row.checksum, createHash('sha256').update(sql).digest('hex'), `${row.migration_name}: the checksum prisma migrate deploy uses`);
      assert.ok(row.finished_at !== null && row.applied_steps_count === 1, `${row.migration_name} finished`);
    }
  });

  test('is idempotent: a second run applies nothing and keeps the rows', async () => {
    const url = await createDatabase(server.adminUrl, freshName());
    await applyMigrations(url);
    await query(url, `INSERT INTO "User" ("id", "email", "passwordHash") VALUES ('u1', 'kept@example.com', 'x')`);
    assert.deepEqual(await applyMigrations(url), { applied: [] });
    assert.deepEqual(await query(url, `SELECT "email" FROM "User"`), [{ email: 'kept@example.com' }]);
    assert.equal((await recorded(url)).length, (await migrationDirectoryNames(POSTGRES_MIGRATIONS_DIR)).length, 'no migration recorded twice');
  });

  test('two deploys at once (two app instances starting) apply each migration exactly once', async () => {
    const url = await createDatabase(server.adminUrl, freshName());
    const [first, second] = await Promise.all([applyMigrations(url), applyMigrations(url)]);
    assert.deepEqual([...first.applied, ...second.applied].sort(), (await migrationDirectoryNames(POSTGRES_MIGRATIONS_DIR)));
    assert.deepEqual((await recorded(url)).map((r) => r.migration_name), (await migrationDirectoryNames(POSTGRES_MIGRATIONS_DIR)));
  });
});

describe('migrationStatus on PostgreSQL', () => {
  test('a database that does not exist: everything pending, and the database is not created', async () => {
    const name = freshName();
    const status = await migrationStatus(databaseUrl(server.adminUrl, name));
    assert.deepEqual(status, { applied: [], pending: (await migrationDirectoryNames(POSTGRES_MIGRATIONS_DIR)), failed: [], edited: [], missingFromDirectory: [] });
    assert.ok(!(await databaseNames()).includes(name));
  });

  test('an empty database: everything pending; once applied: everything applied, nothing pending', async () => {
    const url = await createDatabase(server.adminUrl, freshName());
    assert.deepEqual((await migrationStatus(url)).pending, (await migrationDirectoryNames(POSTGRES_MIGRATIONS_DIR)));
    await applyMigrations(url);
    assert.deepEqual(await migrationStatus(url), { applied: (await migrationDirectoryNames(POSTGRES_MIGRATIONS_DIR)), pending: [], failed: [], edited: [], missingFromDirectory: [] });
  });

  test('a new migration in the directory is pending until applied, and then applied', async () => {
    const url = await createDatabase(server.adminUrl, freshName());
    await applyMigrations(url);
    const migrationsDir = path.join(tmp, 'with-new-migration');
    cpSync(POSTGRES_MIGRATIONS_DIR, migrationsDir, { recursive: true });
    const newMigration = '29991231235959_add_probe';
    mkdirSync(path.join(migrationsDir, newMigration));
    writeFileSync(path.join(migrationsDir, newMigration, 'migration.sql'), 'CREATE TABLE "MigrationProbe" ("id" INTEGER NOT NULL PRIMARY KEY);\n');

    const before = await migrationStatus(url, { migrationsDir });
    assert.deepEqual(before.applied, (await migrationDirectoryNames(POSTGRES_MIGRATIONS_DIR)));
    assert.deepEqual(before.pending, [newMigration]);
    assert.deepEqual(await applyMigrations(url, { migrationsDir }), { applied: [newMigration] });
    const afterApply = await migrationStatus(url, { migrationsDir });
    assert.deepEqual(afterApply.applied, [...(await migrationDirectoryNames(POSTGRES_MIGRATIONS_DIR)), newMigration]);
    assert.deepEqual(afterApply.pending, []);
    // Seen from the project's own directory, that migration is one the database has and the directory lacks.
    assert.deepEqual((await migrationStatus(url)).missingFromDirectory, [newMigration]);
  });

  test('an applied migration edited afterwards is reported as edited', async () => {
    const url = await createDatabase(server.adminUrl, freshName());
    await applyMigrations(url);
    const migrationsDir = path.join(tmp, 'edited');
    cpSync(POSTGRES_MIGRATIONS_DIR, migrationsDir, { recursive: true });
    const [first] = (await migrationDirectoryNames(POSTGRES_MIGRATIONS_DIR));
    writeFileSync(path.join(migrationsDir, first, 'migration.sql'), '-- edited\n', { flag: 'a' });
    assert.deepEqual((await migrationStatus(url, { migrationsDir })).edited, [first]);
  });
});

describe('the shadow database the diff replays migrations on', () => {
  test('is dropped after the diff', async () => {
    assert.deepEqual(await shadowDatabases(), []);
    assert.equal((await migrationsMatchSchema(server.adminUrl)).matches, true);
    assert.deepEqual(await shadowDatabases(), []);
  });

  test('is dropped when a migration fails to replay on it too', async () => {
    const migrationsDir = path.join(tmp, 'broken');
    cpSync(POSTGRES_MIGRATIONS_DIR, migrationsDir, { recursive: true });
    const broken = '29991231235959_broken';
    mkdirSync(path.join(migrationsDir, broken));
    writeFileSync(path.join(migrationsDir, broken, 'migration.sql'), 'ALTER TABLE "NoSuchTable" ADD COLUMN "x" INTEGER;\n');
    await assert.rejects(migrationsMatchSchema(server.adminUrl, { migrationsDir }), /NoSuchTable/);
    assert.deepEqual(await shadowDatabases(), []);
  });
});
