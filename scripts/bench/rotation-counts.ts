/**
 * What one rotation asks of the database, counted in the real server under the refresh scenario:
 * SQL statements (BEGIN and COMMIT included), round trips on PostgreSQL's wire, and the framework's
 * share of the server's CPU per rotation (the bare route's CPU per request against it). The counting
 * itself runs inside the app servers (database-counter.cjs, loaded with `node --require`); this file
 * starts it, reads it around a scenario and turns the totals into per-request figures.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BASELINE } from './bare-app';
import { formatSpread, spread, type Spread } from './stats';
import type { DatabaseName } from './deployments';
import type { Round } from './rounds';

/** The totals database-counter.cjs keeps (its `DatabaseCounts`). */
export type DatabaseCounts = {
  requests: number;
  inFlight: number;
  statements: number;
  byKind: Record<string, number>;
  prepares: number;
  roundTrips: number;
  connections: number;
  connectionRoundTrips: number;
};

/**
 * Per request answered: statements (and by kind), SQLite prepares, PostgreSQL round trips and new
 * connections; and the server's CPU time per request answered, up to when it was quiet.
 */
export type CountsPerRequest = {
  requests: number;
  cpuMicroseconds?: number;
  statements: number;
  byKind: Record<string, number>;
  prepares: number;
  roundTrips: number;
  connections: number;
};

const HOOK = path.join(import.meta.dirname, 'database-counter.cjs');

/** A folder of this run's sockets, made on first use and removed when the benchmark exits. */
let socketDir: string | undefined;
function socketOf(serverName: string): string {
  if (!socketDir) {
    const dir = mkdtempSync(path.join(tmpdir(), 'bench-counts-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    socketDir = dir;
  }
  return path.join(socketDir, `${serverName.replace(/[^a-z0-9]+/gi, '-')}.sock`);
}

/** What an app server needs to count: the hook preloaded and where it answers. */
export function countingServer(serverName: string): { env: Record<string, string>; nodeArgs: string[] } {
  return { env: { BENCH_DATABASE_COUNTS_SOCKET: socketOf(serverName) }, nodeArgs: ['--require', HOOK] };
}

function readOnce(serverName: string): Promise<DatabaseCounts> {
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = createConnection(socketOf(serverName));
    socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(JSON.parse(text) as DatabaseCounts));
    socket.on('error', reject);
  });
}

/**
 * The server's totals once it is quiet (at most 10 s of waiting): every request it took has ended, and
 * no statement was sent for 250 ms. A request the load generator cut off when the run stopped still
 * ends its rotation after its connection has closed; its statements are counted, and so is it.
 */
export async function readCounts(serverName: string): Promise<DatabaseCounts> {
  const deadline = Date.now() + 10_000;
  let last = await readOnce(serverName);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const counts = await readOnce(serverName);
    if ((counts.inFlight === 0 && counts.statements === last.statements) || Date.now() > deadline) return counts;
    last = counts;
  }
}

/** The totals between two readings, per request answered between them. */
export function countsPerRequest(before: DatabaseCounts, after: DatabaseCounts): CountsPerRequest {
  const requests = after.requests - before.requests;
  const per = (value: number) => (requests > 0 ? value / requests : NaN);
  const kinds = Object.keys(after.byKind).filter((k) => after.byKind[k] !== (before.byKind[k] ?? 0));
  return {
    requests,
    statements: per(after.statements - before.statements),
    byKind: Object.fromEntries(kinds.sort().map((k) => [k, per(after.byKind[k] - (before.byKind[k] ?? 0))])),
    prepares: per(after.prepares - before.prepares),
    roundTrips: per(after.roundTrips - before.roundTrips),
    connections: per(after.connections - before.connections),
  };
}

/** Per-request figures of several rounds as one: each weighted by its requests. */
export function combineCounts(parts: CountsPerRequest[]): CountsPerRequest {
  const requests = parts.reduce((sum, p) => sum + p.requests, 0);
  const mean = (pick: (p: CountsPerRequest) => number) => (requests > 0 ? parts.reduce((sum, p) => sum + pick(p) * p.requests, 0) / requests : NaN);
  const kinds = [...new Set(parts.flatMap((p) => Object.keys(p.byKind)))].sort();
  return {
    requests,
    statements: mean((p) => p.statements),
    byKind: Object.fromEntries(kinds.map((k) => [k, mean((p) => p.byKind[k] ?? 0)])),
    prepares: mean((p) => p.prepares),
    roundTrips: mean((p) => p.roundTrips),
    connections: mean((p) => p.connections),
  };
}

/** One deployment's rotation, as the report keeps it. */
export type RotationAccount = {
  counts: CountsPerRequest;
  /** The app server's CPU per rotation (per request the server answered), and the bare route's per request in the same rounds. */
  cpuMicroseconds: Spread;
  bareRouteCpuMicroseconds: Spread;
  /** The bare route's CPU over the rotation's, per round: the share the framework's floor takes. */
  frameworkShare: Spread;
};

/** Per deployment that ran the refresh scenario with counting on. */
export function rotationAccounts(rounds: Round[], names: DatabaseName[]): Partial<Record<DatabaseName, RotationAccount>> {
  const accounts: Partial<Record<DatabaseName, RotationAccount>> = {};
  for (const name of names) {
    const refresh = rounds.map((r) => r[name]?.refresh).filter((m) => m !== undefined);
    const counted = refresh.map((m) => m.databaseCounts).filter((c) => c != null);
    if (counted.length === 0) continue;
    const bare = rounds.map((r) => r[name]![BASELINE].cpuMicrosecondsPerRequest);
    const cpu = refresh.map((m) => m.databaseCounts?.cpuMicroseconds ?? m.cpuMicrosecondsPerRequest);
    accounts[name] = {
      counts: combineCounts(counted),
      cpuMicroseconds: spread(cpu),
      bareRouteCpuMicroseconds: spread(bare),
      frameworkShare: spread(cpu.map((c, i) => bare[i] / c)),
    };
  }
  return accounts;
}

const two = (n: number) => (Number.isFinite(n) ? n.toFixed(2).replace(/\.00$/, '') : 'n/a');

/** `6 statements (SELECT 1, BEGIN 1, UPDATE 2, INSERT 1, COMMIT 1)`, and on PostgreSQL its round trips. */
export function describeCounts(name: DatabaseName, c: CountsPerRequest): string {
  const kinds = Object.entries(c.byKind).map(([kind, n]) => `${kind} ${two(n)}`).join(', ');
  const wire =
    name === 'postgresql'
      ? `, ${two(c.roundTrips)} round trips to the server` + (c.connections > 0 ? `, ${two(c.connections)} new connections` : '')
      : `, ${two(c.prepares)} of them prepared anew, all run in the server's own process: no round trip`;
  return `${two(c.statements)} statements (${kinds})${wire}`;
}

/** The lines the terminal and docs/benchmarks.md show under the requests table. */
export function rotationLines(accounts: Partial<Record<DatabaseName, RotationAccount>>, labels: Record<DatabaseName, string>): string[] {
  return Object.entries(accounts).map(([name, a]) => {
    const db = name as DatabaseName;
    return (
      `${labels[db]}: ${describeCounts(db, a.counts)}, over ${a.counts.requests} rotations; ` +
      `server CPU ${formatSpread(a.cpuMicroseconds)} us per rotation, of which the bare route's ${formatSpread(a.bareRouteCpuMicroseconds)} us per request ` +
      `(the framework's floor for a dynamic request) is ${formatSpread(a.frameworkShare, 2)}.`
    );
  });
}
