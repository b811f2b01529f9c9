/**
 * What the migrations need to know of the database without starting the engine: which file a SQLite URL
 * means, and which migrations `_prisma_migrations` records as finished. Reads only, so that looking
 * never creates or locks anything; `prepareDatabaseFile` is the one write, before the engine runs.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { databaseProvider } from '../../lib/config/database-url';

/** Finished and not rolled back, oldest first: the same query on either database. */
const FINISHED_MIGRATIONS = `SELECT migration_name FROM "_prisma_migrations"
  WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL
  ORDER BY started_at, migration_name`;

/**
 * The path better-sqlite3 will open for a `file:` URL, as PrismaBetterSqlite3 derives it (the scheme
 * stripped, a relative path against the working directory), so this module and the app mean one file.
 */
export function databasePath(databaseUrl: string): string {
  if (!databaseUrl.startsWith('file:')) {
    throw new Error(`expected a SQLite URL like file:./prisma/dev.db, got ${JSON.stringify(databaseUrl)}`);
  }
  const filePath = databaseUrl.slice('file:'.length);
  if (filePath === '' || filePath.includes('?')) {
    // Prisma's native engine reads query parameters here; the adapter would take them as part of the
    // file name and quietly open a different database.
    throw new Error(`unsupported SQLite URL ${JSON.stringify(databaseUrl)}: use file:<path> without parameters`);
  }
  return path.resolve(filePath);
}

/** Creates the file (and its directory) in WAL mode, which is stored in the file: readers run beside the one writer. */
export async function prepareDatabaseFile(dbPath: string): Promise<void> {
  await mkdir(path.dirname(dbPath), { recursive: true });
  const db = new Database(dbPath);
  try {
    db.pragma('journal_mode = WAL');
  } finally {
    db.close();
  }
}

/** Names of the finished migrations the database records; null when it or its `_prisma_migrations` does not exist. */
export function appliedMigrationNames(databaseUrl: string): Promise<string[] | null> | string[] | null {
  return databaseProvider(databaseUrl) === 'sqlite' ? appliedSqliteMigrations(databasePath(databaseUrl)) : appliedPostgresMigrations(databaseUrl);
}

/** Opens the file read-only: looking never creates it. */
function appliedSqliteMigrations(dbPath: string): string[] | null {
  if (!existsSync(dbPath)) return null;
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const table = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'`).get();
    if (table === undefined) return null;
    return (db.prepare(FINISHED_MIGRATIONS).all() as { migration_name: string }[]).map((row) => row.migration_name);
  } finally {
    db.close();
  }
}

async function appliedPostgresMigrations(databaseUrl: string): Promise<string[] | null> {
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
  } catch (error) {
    // 3D000 invalid_catalog_name: the database does not exist yet, so nothing is applied.
    if ((error as { code?: string }).code === '3D000') return null;
    throw error;
  }
  try {
    const table = await client.query(`SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS present`);
    if (!table.rows[0]?.present) return null;
    return (await client.query<{ migration_name: string }>(FINISHED_MIGRATIONS)).rows.map((row) => row.migration_name);
  } finally {
    await client.end();
  }
}
