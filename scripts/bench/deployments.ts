/**
 * The deployments the benchmark compares (docs/decisions/0072-benchmark-method.md): the same build on
 * SQLite (a temporary file) and on PostgreSQL (a throwaway server, durability at its defaults), each with
 * a migrated, seeded database and its own Prisma client in this process for the fixtures. The app's `db()`
 * takes the client in `globalThis.prisma`: `deployment.use(fn)` puts this deployment's there while `fn`
 * runs. The benchmark calls the fixtures one at a time, so the slot never changes under a running call.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { applyMigrations } from '../lib/migrations';
import { createDatabase, dropDatabase, startPostgres, type PostgresServer } from '../lib/postgres-server';
import { createPrismaClient, type PrismaClient } from '../../lib/db/client';
import { processTreeCpuMicroseconds } from './server';

export type DatabaseName = 'sqlite' | 'postgresql';
export const DATABASE_NAMES: readonly DatabaseName[] = ['sqlite', 'postgresql'];

/** How the report names each deployment. */
export const DEPLOYMENT_LABELS: Record<DatabaseName, string> = {
  sqlite: 'SQLite (file)',
  postgresql: 'PostgreSQL (socket)',
};

export type Deployment = {
  name: DatabaseName;
  label: string;
  databaseUrl: string;
  /** Runs `fn` with `db()` answering from this deployment's database. */
  use<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * CPU time the database server's own processes have used so far, in microseconds, when they run
   * apart from the app (PostgreSQL on this machine); null when the database works inside the app's
   * process (SQLite: already in the server's CPU time) or runs where /proc cannot see it.
   */
  databaseCpuMicroseconds: (() => number) | null;
  stop(): Promise<void>;
};

const slot = globalThis as unknown as { prisma?: PrismaClient };

function deployment(
  name: DatabaseName,
  databaseUrl: string,
  cleanUp: () => Promise<void>,
  databaseCpuMicroseconds: (() => number) | null = null,
): Deployment {
  // Made on first use: the configuration it reads (pool size) needs DATABASE_URL set, which run.ts
  // does once the databases exist.
  let client: PrismaClient | undefined;
  return {
    name,
    label: DEPLOYMENT_LABELS[name],
    databaseUrl,
    databaseCpuMicroseconds,
    async use(fn) {
      client ??= createPrismaClient(databaseUrl);
      slot.prisma = client;
      return fn();
    },
    async stop() {
      if (client && slot.prisma === client) slot.prisma = undefined;
      await client?.$disconnect().catch(() => {});
      await cleanUp();
    },
  };
}

/**
 * The postmaster's process id, from the data directory's postmaster.pid, when the server runs on this
 * machine where this process may read it (a server started here; not one elsewhere).
 */
async function postmasterPid(adminUrl: string): Promise<number | null> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ data_directory: string }>('SHOW data_directory');
    const file = path.join(rows[0].data_directory, 'postmaster.pid');
    if (!existsSync(file)) return null;
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && existsSync(`/proc/${pid}`) ? pid : null;
  } catch {
    return null;
  } finally {
    await client.end();
  }
}

export async function startSqlite(): Promise<Deployment> {
  const directory = mkdtempSync(path.join(tmpdir(), 'bench-sqlite-'));
  const databaseUrl = `file:${path.join(directory, 'bench.db')}`;
  await applyMigrations(databaseUrl);
  return deployment('sqlite', databaseUrl, async () => rmSync(directory, { recursive: true, force: true }));
}

/**
 * A PostgreSQL server of its own (or the one TEST_POSTGRES_URL names) with a fresh `bench` database.
 * Fails with what to install when PostgreSQL is not there.
 */
export async function startPostgresql(): Promise<Deployment> {
  let server: PostgresServer;
  try {
    // `fast: false`: fsync, synchronous_commit and full_page_writes stay on, as in a deployment.
    server = await startPostgres({ fast: false });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `the PostgreSQL deployment could not start: ${reason}\n` +
        'Install PostgreSQL (`apt-get install -y postgresql`), or set TEST_POSTGRES_URL to a server whose role may create databases, ' +
        'or benchmark SQLite alone: `npm run bench -- --database sqlite`.',
    );
  }
  const database = `bench_${process.pid}`;
  const cleanUp = async () => {
    // Only matters on a server given by TEST_POSTGRES_URL: a server started here goes whole.
    await dropDatabase(server.adminUrl, database).catch(() => {});
    await server.stop();
  };
  try {
    const databaseUrl = await createDatabase(server.adminUrl, database);
    await applyMigrations(databaseUrl);
    const pid = await postmasterPid(server.adminUrl);
    return deployment('postgresql', databaseUrl, cleanUp, pid === null ? null : () => processTreeCpuMicroseconds(pid));
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

export function startDeployment(name: DatabaseName): Promise<Deployment> {
  return name === 'sqlite' ? startSqlite() : startPostgresql();
}
