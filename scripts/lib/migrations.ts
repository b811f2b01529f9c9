/**
 * Prisma migrations without Prisma's native schema engine: the same engine compiled to WebAssembly
 * (schema-engine.ts), driven over the app's own driver adapters. What it applies and records is what
 * `prisma migrate deploy` would (the same `_prisma_migrations` table, checksums and SQL files), so a
 * machine with the native engine finds nothing pending. Why, and what each workaround answers:
 * docs/decisions/0070-migrations-without-the-native-engine.md.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MigrationList, SchemaFilter } from '@prisma/schema-engine-wasm';
import { databaseProvider, type DatabaseProvider } from '../../lib/config/database-url';
import { appliedMigrationNames, databasePath, prepareDatabaseFile } from './migrations-database';
import { LOCKFILE_NAME, lockfileContent, migrationNameSlug, readMigrationsList, utcTimestamp } from './migrations-files';
import { POSTGRES_MIGRATIONS_DIR, POSTGRES_SCHEMA_PATH, SQLITE_MIGRATIONS_DIR, SQLITE_SCHEMA_PATH } from './postgres-schema';
import { IN_MEMORY, withEngine } from './schema-engine';

export { migrationDirectoryNames } from './migrations-files';

/** Where the project keeps its schema and migrations. Defaults are resolved from this file, not cwd. */
export interface MigrationOptions {
  /** Directory holding `<timestamp>_<name>/migration.sql` folders and `migration_lock.toml`. */
  migrationsDir?: string;
  /** The Prisma schema that `createMigration` diffs the migration history against. */
  schemaPath?: string;
}

export interface MigrationStatus {
  /** Migrations recorded as finished in `_prisma_migrations`, oldest first. */
  applied: string[];
  /** Migrations in the directory that the database has not run yet, oldest first. */
  pending: string[];
  /** Migrations that started but did not finish: the database needs a person to look at it. */
  failed: string[];
  /** Applied migrations whose migration.sql changed since (checksum mismatch). */
  edited: string[];
  /** Migrations the database has run but the directory does not have (another branch?). */
  missingFromDirectory: string[];
}

/** Each database keeps its own schema file and migration history, kept in step (postgres-schema.ts). */
const DEFAULTS: Record<DatabaseProvider, { migrationsDir: string; schemaPath: string }> = {
  sqlite: { migrationsDir: SQLITE_MIGRATIONS_DIR, schemaPath: SQLITE_SCHEMA_PATH },
  postgresql: { migrationsDir: POSTGRES_MIGRATIONS_DIR, schemaPath: POSTGRES_SCHEMA_PATH },
};
const migrationsDirOf = (provider: DatabaseProvider, options: MigrationOptions) => path.resolve(options.migrationsDir ?? DEFAULTS[provider].migrationsDir);
const schemaPathOf = (provider: DatabaseProvider, options: MigrationOptions) => path.resolve(options.schemaPath ?? DEFAULTS[provider].schemaPath);

// The project manages every table through migrations: nothing is "external" to them.
const NO_FILTER: SchemaFilter = { externalTables: [], externalEnums: [] };

/**
 * Applies every migration the database has not run yet, in directory order, as `prisma migrate deploy`
 * does; creates a missing SQLite file. Never resets or drops anything: an edited or failed migration
 * makes the engine refuse. Nothing pending is decided first with a read-only look, without the engine.
 */
export async function applyMigrations(databaseUrl: string, options: MigrationOptions = {}): Promise<{ applied: string[] }> {
  const provider = databaseProvider(databaseUrl);
  const migrationsList = await readMigrationsList(migrationsDirOf(provider, options));
  const applied = await appliedMigrationNames(databaseUrl);
  if (applied !== null && migrationsList.migrationDirectories.every((dir) => applied.includes(dir.path))) {
    return { applied: [] };
  }
  // PostgreSQL: no file to create; the engine holds an advisory lock, so two deploys at once apply each migration once.
  if (provider === 'sqlite') await prepareDatabaseFile(databasePath(databaseUrl));
  const { appliedMigrationNames: names } = await withEngine(databaseUrl, (engine) =>
    engine.applyMigrations({ migrationsList, filters: NO_FILTER }),
  );
  return { applied: names };
}

/**
 * Writes the next migration, `<UTC timestamp>_<name>/migration.sql` (and `migration_lock.toml` if
 * missing): the SQL from the migration history, replayed on a shadow database, to the schema file. It
 * applies nothing and opens no real database (the URL says which kind, and is checked). Returns nulls,
 * writing nothing, when there is no difference. Unlike `prisma migrate dev` it adds no data-loss
 * warnings (those need the live database): review destructive changes yourself.
 */
export async function createMigration(
  name: string,
  databaseUrl: string,
  options: MigrationOptions & { now?: Date } = {},
): Promise<{ migrationName: string | null; migrationPath: string | null }> {
  const slug = migrationNameSlug(name);
  const provider = databaseProvider(databaseUrl);
  const migrationsDir = migrationsDirOf(provider, options);
  const { migrationsList, difference } = await diffMigrationsAgainstSchema(databaseUrl, options);
  if (difference === null) {
    console.log(`no changes: ${displayPath(schemaPathOf(provider, options))} matches the migrations`);
    return { migrationName: null, migrationPath: null };
  }
  const migrationName = `${utcTimestamp(options.now ?? new Date())}_${slug}`;
  const dir = path.join(migrationsDir, migrationName);
  await mkdir(migrationsDir, { recursive: true });
  await mkdir(dir); // not recursive: fails if it exists, so two runs in the same second never merge
  const migrationPath = path.join(dir, 'migration.sql');
  await writeFile(migrationPath, difference, 'utf8');
  if (migrationsList.lockfile.content === null) {
    await writeFile(path.join(migrationsDir, LOCKFILE_NAME), lockfileContent(provider), 'utf8');
  }
  return { migrationName, migrationPath };
}

/**
 * Whether replaying the migration history onto an empty (shadow) database gives exactly the schema
 * file's model: no schema change without a migration, no migration without the schema. `difference`
 * is the SQL a new migration would need (null when they match).
 */
export async function migrationsMatchSchema(
  databaseUrl: string,
  options: MigrationOptions = {},
): Promise<{ matches: boolean; difference: string | null }> {
  const { difference } = await diffMigrationsAgainstSchema(databaseUrl, options);
  return { matches: difference === null, difference };
}

/** The migrations directory against what the database recorded. Reads only: a missing database is "everything pending". */
export async function migrationStatus(databaseUrl: string, options: MigrationOptions = {}): Promise<MigrationStatus> {
  const provider = databaseProvider(databaseUrl);
  const migrationsList = await readMigrationsList(migrationsDirOf(provider, options));
  const applied = await appliedMigrationNames(databaseUrl);
  if (applied === null) {
    // Asking the engine would fail (it expects the table) or, worse, create an empty database file.
    const pending = migrationsList.migrationDirectories.map((dir) => dir.path);
    return { applied: [], pending, failed: [], edited: [], missingFromDirectory: [] };
  }
  const diagnosis = await withEngine(databaseUrl, (engine) =>
    engine.diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: false, filters: NO_FILTER }),
  );
  const history = diagnosis.history;
  const diverged = history?.diagnostic === 'historiesDiverge';
  return {
    applied,
    pending: history?.diagnostic === 'databaseIsBehind' || diverged ? history.unappliedMigrationNames : [],
    failed: diagnosis.failedMigrationNames,
    edited: diagnosis.editedMigrationNames,
    missingFromDirectory: history?.diagnostic === 'migrationsDirectoryIsBehind' || diverged ? history.unpersistedMigrationNames : [],
  };
}

/**
 * The engine's `diff` from the migration history (replayed on its shadow database) to the schema file.
 * On SQLite the engine's main database is a private in-memory one: the diff never reads it, and opening
 * the real file would create it. Before the first migration the engine gets the lock file about to be written.
 */
async function diffMigrationsAgainstSchema(
  databaseUrl: string,
  options: MigrationOptions,
): Promise<{ migrationsList: MigrationList; difference: string | null }> {
  const provider = databaseProvider(databaseUrl);
  const schemaPath = schemaPathOf(provider, options);
  const schema = await readFile(schemaPath, 'utf8');
  const migrationsList = await readMigrationsList(migrationsDirOf(provider, options));
  const lockfile = { ...migrationsList.lockfile, content: migrationsList.lockfile.content ?? lockfileContent(provider) };
  if (provider === 'sqlite') databasePath(databaseUrl); // still reject a malformed URL early
  const { exitCode, stdout } = await withEngine(provider === 'sqlite' ? IN_MEMORY : databaseUrl, (engine) =>
    engine.diff({
      from: { tag: 'migrations', ...migrationsList, lockfile },
      to: { tag: 'schemaDatamodel', files: [{ path: schemaPath, content: schema }] },
      script: true,
      exitCode: true, // 0: no difference, 2: one (rather than parsing the comment an empty script prints)
      filters: NO_FILTER,
    }),
  );
  return { migrationsList, difference: exitCode === 0 || stdout === null ? null : stdout };
}

/** Relative to the working directory when under it (shorter in a terminal), absolute otherwise. */
function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}
