/**
 * A private, throwaway PostgreSQL server for tests, the cluster demo and the benchmark.
 * `TEST_POSTGRES_URL` names one you already run; otherwise one is started from the first binaries found
 * (postgres-binaries.ts) in a temporary directory on a free loopback port, touching no system cluster,
 * and `stop()` removes everything. Why and how: docs/decisions/0062-throwaway-postgres-server.md.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './local-server';
import { postgresBinDir, postgresUser } from './postgres-binaries';

export type PostgresServer = {
  /** A superuser URL on the `postgres` database: create per-test databases from it. */
  adminUrl: string;
  stop(): Promise<void>;
};

export type PostgresOptions = {
  /**
   * Durability off (`fsync`, `synchronous_commit`, `full_page_writes`): for tests, which never need the
   * data after a crash. The benchmark keeps the defaults, so it measures what a deployment would get.
   */
  fast?: boolean;
  /** Server log goes here instead of being dropped (useful when a test fails). */
  logFile?: string;
};

export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
  const given = process.env.TEST_POSTGRES_URL;
  if (given) {
    await waitForServer(given, 10_000);
    return { adminUrl: given, stop: async () => {} };
  }
  const bin = await postgresBinDir();
  const { directory, runAs } = privateDirectory();
  const dataDir = path.join(directory, 'data');
  initDataDirectory(bin, dataDir, runAs, directory);
  const port = await freePort();
  const server = await spawnServer(runAs(path.join(bin, 'postgres'), ['-D', dataDir, ...serverSettings(port, directory, options).flatMap((s) => ['-c', s])]), options);
  const adminUrl = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  const forget = stopWhenThisProcessEnds(server);
  const stop = () => {
    forget();
    return stopServer(server, directory);
  };
  try {
    await waitForServer(adminUrl, 30_000, server);
  } catch (error) {
    await stop();
    throw error;
  }
  return { adminUrl, stop };
}

/** A command as run: as `user` through runuser when this process is root (PostgreSQL refuses root). */
type RunAs = (command: string, args: string[]) => [string, string[]];

/** The server's temporary directory, owned by the user it will run as. */
function privateDirectory(): { directory: string; runAs: RunAs } {
  const directory = mkdtempSync(path.join(tmpdir(), 'sessions-pg-'));
  const user = process.getuid?.() === 0 ? postgresUser() : null;
  if (user) {
    chownSync(directory, user.uid, user.gid);
    chmodSync(directory, 0o700);
  }
  const runAs: RunAs = (command, args) => (user ? ['runuser', ['-u', user.name, '--', command, ...args]] : [command, args]);
  return { directory, runAs };
}

function initDataDirectory(bin: string, dataDir: string, runAs: RunAs, directory: string): void {
  const [command, args] = runAs(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const init = spawnSync(command, args, { encoding: 'utf8' });
  if (init.status !== 0) {
    rmSync(directory, { recursive: true, force: true });
    throw new Error(`initdb failed: ${(init.stderr || init.stdout || String(init.error)).trim()}`);
  }
}

function serverSettings(port: number, directory: string, options: PostgresOptions): string[] {
  return [
    `listen_addresses=127.0.0.1`,
    `port=${port}`,
    `unix_socket_directories=${directory}`,
    // Three app instances, each with its connection pool, the test files in parallel, the migration
    // engine's shadow databases: well above the default 100.
    'max_connections=300',
    ...(options.fast ? ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'] : []),
  ];
}

/** The server in its own process group (so stop() reaches it through runuser), its log where asked. */
async function spawnServer([command, args]: [string, string[]], options: PostgresOptions): Promise<ChildProcess> {
  const server = spawn(command, args, {
    detached: true,
    stdio: ['ignore', 'ignore', options.logFile ? 'pipe' : 'ignore'],
  });
  if (options.logFile && server.stderr) {
    const { createWriteStream } = await import('node:fs');
    server.stderr.pipe(createWriteStream(options.logFile));
  }
  return server;
}

/**
 * If this process ends without stop() (a test runner's timeout, Ctrl-C, an uncaught error), the
 * server's group would outlive it: signal it on the way out (synchronously, as an exit handler must;
 * the directory is left in the temporary folder). Returns the function that removes the handlers.
 */
function stopWhenThisProcessEnds(server: ChildProcess): () => void {
  const stopOnExit = () => {
    try {
      if (server.exitCode === null && server.pid !== undefined) process.kill(-server.pid, 'SIGINT');
    } catch {
      // already gone
    }
  };
  // SIGINT and SIGTERM end the process without an 'exit' event: the same, then the signal's default
  // (the handler is removed and the signal raised again).
  const onSignal = (signal: NodeJS.Signals) => {
    stopOnExit();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    process.kill(process.pid, signal);
  };
  process.once('exit', stopOnExit);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return () => {
    process.removeListener('exit', stopOnExit);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  };
}

/** The URL of another database on the same server as `adminUrl`. */
export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * Create a database (the name is the caller's own, made of [a-z0-9_]). With `template`, a copy of that
 * database: tables, rows and migration history; nothing may be connected to the template meanwhile.
 */
export async function createDatabase(adminUrl: string, database: string, options: { template?: string } = {}): Promise<string> {
  assertPlainName(database);
  if (options.template !== undefined) assertPlainName(options.template);
  const template = options.template === undefined ? '' : ` TEMPLATE "${options.template}"`;
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE "${database}"${template}`));
  return databaseUrl(adminUrl, database);
}

/** Drop a database, closing any connection still open to it. */
export async function dropDatabase(adminUrl: string, database: string): Promise<void> {
  assertPlainName(database);
  await withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
}

function assertPlainName(database: string): void {
  if (!/^[a-z0-9_]{1,63}$/.test(database)) throw new Error(`not a plain database name: ${JSON.stringify(database)}`);
}

async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

async function waitForServer(url: string, timeoutMs: number, server?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (server && server.exitCode !== null) throw new Error(`postgres exited with code ${server.exitCode} while starting`);
    try {
      await withClient(url, (client) => client.query('SELECT 1'));
      return;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`PostgreSQL at ${redact(url)} did not answer within ${timeoutMs} ms: ${String(lastError)}`);
}

async function stopServer(server: ChildProcess, directory: string): Promise<void> {
  if (server.exitCode === null && server.pid !== undefined) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    // SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, close connections, exit.
    // To the whole group: as root the server is runuser's child.
    try {
      process.kill(-server.pid, 'SIGINT');
    } catch {
      // already gone
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 10_000)))]);
    clearTimeout(timer); // or it would hold the process open for 10 s after a clean shutdown
  }
  rmSync(directory, { recursive: true, force: true });
}

/** A URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
