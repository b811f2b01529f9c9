/**
 * The project's stand-in for `prisma migrate`, which cannot run here: same migration files, same
 * `_prisma_migrations` bookkeeping (scripts/lib/migrations.ts).
 *
 *   tsx scripts/migrate.ts deploy        apply pending migrations    (npm run db:migrate)
 *   tsx scripts/migrate.ts new <name>    write the next migration, for SQLite and PostgreSQL alike
 *                                        (npm run db:migrate:new -- <name>)
 *   tsx scripts/migrate.ts status        list applied and pending    (npm run db:status)
 *
 * The database is DATABASE_URL after loading the .env files as Next.js does (default
 * file:./prisma/dev.db); a postgresql:// URL uses prisma/postgresql/migrations. Exit status: 0, 1 on
 * failure or a database not up to date (`status`), 2 on a usage error.
 */
import path from 'node:path';
// @next/env is CommonJS that Node cannot read named exports from: take the default export.
import nextEnv from '@next/env';
import { applyMigrations, createMigration, migrationStatus } from './lib/migrations';
import { startPostgres } from './lib/postgres-server';

const USAGE = 'usage: tsx scripts/migrate.ts deploy | new <name> | status';

class UsageError extends Error {}

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  // Quietly: the commands print what matters, and a "Loaded env from" line would bury it.
  nextEnv.loadEnvConfig(process.cwd(), process.env.NODE_ENV !== 'production', { info: () => {}, error: console.error });
  const databaseUrl = process.env.DATABASE_URL ?? 'file:./prisma/dev.db';
  switch (command) {
    case 'deploy':
      if (rest.length > 0) throw new UsageError(`deploy takes no arguments`);
      return deploy(databaseUrl);
    case 'new':
      if (rest.length !== 1) throw new UsageError('new takes exactly one name, e.g. `new add_audit_index`');
      return newMigration(rest[0]);
    case 'status':
      if (rest.length > 0) throw new UsageError(`status takes no arguments`);
      return status(databaseUrl);
    default:
      throw new UsageError(command === undefined ? 'missing command' : `unknown command ${JSON.stringify(command)}`);
  }
}

async function deploy(databaseUrl: string): Promise<number> {
  const { applied } = await applyMigrations(databaseUrl);
  if (applied.length === 0) console.log(`${databaseUrl}: no pending migrations`);
  else console.log(`${databaseUrl}: applied ${applied.length} migration(s):\n${list(applied)}`);
  return 0;
}

/**
 * Both databases' migration under one name, so the histories stay in step (tests/integration/migrations-in-step.test.ts):
 * SQLite's diffed in memory, PostgreSQL's on a throwaway server (scripts/lib/postgres-server.ts).
 */
async function newMigration(name: string): Promise<number> {
  const now = new Date();
  const sqlite = await createMigration(name, 'file::memory:', { now });
  const server = await startPostgres({ fast: true });
  let postgres: Awaited<ReturnType<typeof createMigration>>;
  try {
    postgres = await createMigration(name, server.adminUrl, { now });
  } finally {
    await server.stop();
  }
  for (const { migrationPath } of [sqlite, postgres]) {
    if (migrationPath !== null) console.log(`created ${path.relative(process.cwd(), migrationPath)}`);
  }
  if ((sqlite.migrationPath === null) !== (postgres.migrationPath === null)) {
    console.error('only one database had changes: is prisma/postgresql/schema.prisma stale? run `npm run setup`');
    return 1;
  }
  if (sqlite.migrationPath !== null) {
    console.log('review the SQL (destructive changes carry no warning here), then run `npm run db:migrate`');
  }
  return 0;
}

/** Exit status 1 when the database is not up to date, like `prisma migrate status`. */
async function status(databaseUrl: string): Promise<number> {
  const status = await migrationStatus(databaseUrl);
  console.log(databaseUrl);
  console.log(`applied (${status.applied.length}):\n${list(status.applied)}`);
  console.log(`pending (${status.pending.length}):\n${list(status.pending)}`);
  const problems: [string, string[]][] = [
    ['failed: the database needs manual repair before anything else applies', status.failed],
    ['edited after being applied: restore the original migration.sql', status.edited],
    ['applied to the database but missing from prisma/migrations', status.missingFromDirectory],
  ];
  for (const [label, names] of problems) {
    if (names.length > 0) console.log(`${label} (${names.length}):\n${list(names)}`);
  }
  const upToDate = status.pending.length === 0 && problems.every(([, names]) => names.length === 0);
  console.log(upToDate ? 'database is up to date' : 'database is not up to date');
  return upToDate ? 0 : 1;
}

function list(names: string[]): string {
  return names.length === 0 ? '  (none)' : names.map((name) => `  ${name}`).join('\n');
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`migrate: ${error.message}\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
    // One line: engine messages span several lines, which scripts and CI logs handle badly.
    const message = error instanceof Error ? error.message : String(error);
    console.error(`migrate: ${message.replace(/\s+/g, ' ').trim()}`);
    process.exitCode = 1;
  },
);
