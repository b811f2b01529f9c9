/**
 * The migration tooling against real SQLite files in a temporary directory. Nothing here writes to
 * the project's prisma/ folder: tests that create migrations work on a copy of it.
 *
 *   node --conditions=react-server --import tsx --import ./tests/helpers/integration-setup.ts --test tests/integration/migrations.test.ts
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from '../../lib/generated/prisma/client';
import { applyMigrations, createMigration, migrationStatus } from '../../scripts/lib/migrations';

const PRISMA_DIR = fileURLToPath(new URL('../../prisma/', import.meta.url));
const MIGRATIONS_DIR = path.join(PRISMA_DIR, 'migrations');

/** The project's migrations, in the order Prisma applies them. */
function migrationNames(dir = MIGRATIONS_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: string | null;
  rolled_back_at: string | null;
  applied_steps_count: number;
}

let tmp: string;
before(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'migrations-test-'));
});
after(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('applyMigrations', () => {
  let dbFile: string;
  let url: string;
  before(() => {
    // A directory that does not exist yet: applyMigrations must create it and the file.
    dbFile = path.join(tmp, 'apply', 'test.db');
    url = `file:${dbFile}`;
  });

  test('reports every migration pending on a database that does not exist, without creating it', async () => {
    const status = await migrationStatus(url);
    assert.deepEqual(status.applied, []);
    assert.deepEqual(status.pending, migrationNames());
    assert.equal(existsSync(dbFile), false);
  });

  test('creates the database and applies every migration in order', async () => {
    const { applied } = await applyMigrations(url);
    assert.ok(applied.length > 0, 'the project has at least one migration');
    assert.deepEqual(applied, migrationNames());
  });

  test('produces tables the generated Prisma client can use', async () => {
    const prisma = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url }) });
    try {
      const user = await prisma.user.create({ data: { email: 'kept@example.com', passwordHash: 'x' } });
      const now = new Date();
      await prisma.session.create({
        data: { userId: user.id, createdAt: now, lastActiveAt: now, authenticatedAt: now, expiresAt: now },
      });
      const found = await prisma.user.findUnique({ where: { email: 'kept@example.com' }, include: { sessions: true } });
      assert.equal(found?.balanceCents, 0, 'column defaults come from the migrations (new accounts start empty)');
      assert.equal(found?.sessions.length, 1);
    } finally {
      await prisma.$disconnect();
    }
  });

  test('a second run applies nothing and keeps existing rows', async () => {
    const { applied } = await applyMigrations(url);
    assert.deepEqual(applied, []);
    const db = new Database(dbFile, { readonly: true });
    try {
      const row = db.prepare('SELECT email FROM User').get() as { email: string } | undefined;
      assert.equal(row?.email, 'kept@example.com');
    } finally {
      db.close();
    }
  });

  test('with nothing pending it succeeds while another connection holds the database (npm install beside a dev server)', async () => {
    const server = new Database(dbFile);
    try {
      server.prepare('BEGIN IMMEDIATE').run();
      const { applied } = await applyMigrations(url);
      assert.deepEqual(applied, []);
      server.prepare('ROLLBACK').run();
    } finally {
      server.close();
    }
  });

  test('records one finished row per migration, with the checksum prisma migrate deploy uses', () => {
    const db = new Database(dbFile, { readonly: true });
    try {
      const rows = db
        .prepare('SELECT * FROM _prisma_migrations ORDER BY migration_name')
        .all() as MigrationRow[];
      assert.deepEqual(
        rows.map((row) => row.migration_name),
        migrationNames(),
      );
      for (const row of rows) {
        assert.ok(row.finished_at, `${row.migration_name} finished`);
        assert.equal(row.rolled_back_at, null);
        assert.equal(row.applied_steps_count, 1);
        // Prisma's checksum is the SHA-256 of the file's bytes: a mismatch would make Prisma
        // report the migration as edited.
        assert.equal(row.checksum, sha256(path.join(MIGRATIONS_DIR, row.migration_name, 'migration.sql')));
      }
    } finally {
      db.close();
    }
  });

  test('leaves the database in WAL mode and unlocked', () => {
    const db = new Database(dbFile);
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      // The engine runs with locking_mode=EXCLUSIVE; a write from another connection proves its
      // connection was closed rather than left holding the lock.
      db.prepare("UPDATE User SET balanceCents = balanceCents WHERE email = 'kept@example.com'").run();
    } finally {
      db.close();
    }
  });

  test('status then reports everything applied and nothing pending', async () => {
    const status = await migrationStatus(url);
    assert.deepEqual(status, {
      applied: migrationNames(),
      pending: [],
      failed: [],
      edited: [],
      missingFromDirectory: [],
    });
  });
});

describe('createMigration', () => {
  let prismaCopy: string;
  let migrationsCopy: string;
  let url: string;
  before(() => {
    prismaCopy = path.join(tmp, 'prisma-copy');
    cpSync(PRISMA_DIR, prismaCopy, {
      recursive: true,
      filter: (source) => !/\.db(-journal|-wal|-shm)?$/.test(source),
    });
    migrationsCopy = path.join(prismaCopy, 'migrations');
    url = `file:${path.join(tmp, 'create', 'test.db')}`;
  });

  test('writes nothing when the migrations already match the schema', async () => {
    const existing = migrationNames(migrationsCopy);
    const result = await createMigration('nothing', url, {
      migrationsDir: migrationsCopy,
      schemaPath: path.join(prismaCopy, 'schema.prisma'),
    });
    assert.deepEqual(result, { migrationName: null, migrationPath: null });
    assert.deepEqual(migrationNames(migrationsCopy), existing);
  });

  test('writes a migration for a schema change, which then applies', async () => {
    const schemaPath = path.join(prismaCopy, 'schema.prisma');
    const schema = readFileSync(schemaPath, 'utf8');
    writeFileSync(schemaPath, `${schema}\nmodel MigrationProbe {\n  id    Int    @id\n  label String\n}\n`);

    const options = { migrationsDir: migrationsCopy, schemaPath };
    const { migrationName, migrationPath } = await createMigration('Add probe', url, options);
    assert.match(migrationName ?? '', /^\d{14}_add_probe$/);
    assert.equal(migrationPath, path.join(migrationsCopy, migrationName ?? '', 'migration.sql'));
    const sql = readFileSync(migrationPath ?? '', 'utf8');
    assert.match(sql, /-- CreateTable\nCREATE TABLE "MigrationProbe"/);

    const { applied } = await applyMigrations(url, options);
    assert.deepEqual(applied, migrationNames(migrationsCopy));
    assert.equal(applied.at(-1), migrationName);

    // And the history now matches the changed schema.
    const again = await createMigration('again', url, options);
    assert.equal(again.migrationName, null);
  });
});
