/**
 * The benchmark's report: its shape (BenchReport, also saved as docs/benchmarks.json) and the tables on
 * the terminal; report-document.ts writes docs/benchmarks.md and .svg from it. Every scenario has a
 * column group per deployment (SQLite, PostgreSQL), side by side.
 */
import os from 'node:os';
import Table from 'cli-table3';
import { formatSpread, type Spread } from './stats';
import type { MicroReport } from './micro';
import type { DatabaseName } from './deployments';
import { rotationLines, type RotationAccount } from './rotation-counts';

/** What one scenario measured on one deployment: medians over the rounds, with their ranges. */
export type ScenarioResult = {
  requestsPerSecond: Spread;
  p50: Spread;
  p99: Spread;
  errors: number;
  /** Throughput over the same round's baseline (the bare app's route handler) beside the same deployment, per round. */
  ratio: Spread;
  /** The app server's CPU time per request (user + system, from /proc), per round. */
  cpuMicrosecondsPerRequest: Spread;
  /** The database server's own CPU time per request, when it runs apart from the app (PostgreSQL). */
  databaseCpuMicrosecondsPerRequest?: Spread;
};

export type ScenarioSummary = {
  id: string;
  /** For the chart. */
  short: string;
  label: string;
  mode: string;
  /** Whether the request reaches the database: only then can the deployments differ by more than noise. */
  touchesDatabase: boolean;
  results: Partial<Record<DatabaseName, ScenarioResult>>;
  /** PostgreSQL's throughput over SQLite's, per round (the two run back to back), for requests that reach the database. */
  postgresqlOverSqlite?: Spread;
};

export type TargetStatus = 'met' | 'missed' | 'not measured';
export type TargetVerdict = { target: string; results: Partial<Record<DatabaseName, { measured: string; status: TargetStatus }>> };

export type DeploymentDescription = { name: DatabaseName; label: string; description: string };

export type BenchReport = {
  startedAt: Date;
  /** The machine and its load average, read at the end of the run. */
  machine: string;
  durationSeconds: number;
  settings: { rounds: number; connections: number; durationSeconds: number; heap: string };
  deployments: DeploymentDescription[];
  scenarios: ScenarioSummary[];
  signIn: Partial<Record<DatabaseName, Spread>>;
  memory: { server: string; peaksByRound: number[] }[];
  micro: MicroReport[];
  targets: TargetVerdict[];
  /** The comparisons the deployments are run for, per deployment: ratios taken within each round. */
  comparisons: Comparison[];
  /** Per deployment, what one rotation asks of the database and the framework's share of its CPU (rotation-counts.ts). */
  rotation?: Partial<Record<DatabaseName, RotationAccount>>;
  notes: string[];
};

export type Comparison = { what: string; results: Partial<Record<DatabaseName, Spread>> };

export const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

/**
 * The columns of the side-by-side table: per deployment, then PostgreSQL over SQLite when both ran.
 * (The p50 latencies are in docs/benchmarks.json: the table is wide enough with two deployments.)
 */
export function scenarioColumns(report: BenchReport): { head: string[]; rows: string[][] } {
  const both = report.deployments.length > 1;
  const head = ['scenario', 'mode'];
  for (const d of report.deployments) {
    head.push(`${d.label}: req/s`, 'p99 ms', 'x bare route', 'server CPU us/req');
    if (d.name === 'postgresql') head.push('PostgreSQL CPU us/req');
  }
  if (both) head.push('PostgreSQL / SQLite throughput');
  const rows = report.scenarios.map((s) => {
    const row = [s.label, s.mode];
    for (const d of report.deployments) {
      const r = s.results[d.name];
      if (!r) {
        row.push('', '', '', '', ...(d.name === 'postgresql' ? [''] : []));
        continue;
      }
      const errors = r.errors > 0 ? ` (${r.errors} errors)` : '';
      row.push(`${formatSpread(r.requestsPerSecond)}${errors}`, formatSpread(r.p99), formatSpread(r.ratio, 2), formatSpread(r.cpuMicrosecondsPerRequest));
      if (d.name === 'postgresql') row.push(r.databaseCpuMicrosecondsPerRequest ? formatSpread(r.databaseCpuMicrosecondsPerRequest) : 'n/a');
    }
    if (both) row.push(s.postgresqlOverSqlite ? formatSpread(s.postgresqlOverSqlite, 2) : 'no database');
    return row;
  });
  return { head, rows };
}

function comparisonTable(report: BenchReport) {
  const table = new Table({ head: ['comparison (per round, median and range)', ...report.deployments.map((d) => d.label)], style: { head: [], border: [] }, colWidths: [70, ...report.deployments.map(() => 22)], wordWrap: true });
  for (const c of report.comparisons) table.push([c.what, ...report.deployments.map((d) => (c.results[d.name] ? formatSpread(c.results[d.name]!, 2) : ''))]);
  return table;
}

const verdictText = (v: { measured: string; status: TargetStatus } | undefined) => (v ? `${v.measured}: ${v.status.toUpperCase()}` : '');

export function terminalTables(report: BenchReport): string {
  const columns = scenarioColumns(report);
  const scenarios = new Table({ head: columns.head, style: { head: [], border: [] }, wordWrap: true });
  for (const row of columns.rows) scenarios.push(row);
  const width = Math.max(30, Math.floor(90 / report.deployments.length));
  const targets = new Table({
    head: ['target', ...report.deployments.map((d) => d.label)],
    style: { head: [], border: [] },
    colWidths: [50, ...report.deployments.map(() => width)],
    wordWrap: true,
  });
  for (const t of report.targets) targets.push([t.target, ...report.deployments.map((d) => verdictText(t.results[d.name]))]);
  const micro = new Table({ head: ['micro-benchmark (in process)', 'median us', 'mean us'], style: { head: [], border: [] } });
  for (const m of report.micro) for (const r of m.results) micro.push([r.name, r.p50Microseconds.toFixed(1), r.meanMicroseconds.toFixed(1)]);
  const memory = report.memory.map((m) => `${m.server}: peak RSS per round ${m.peaksByRound.map(mb).join(', ')}`).join('\n');
  const signIn = report.deployments
    .map((d) => `${d.label} ${report.signIn[d.name] ? formatSpread(report.signIn[d.name]!, 0, ' ms') : 'n/a'}`)
    .join(', ');
  return [
    report.deployments.map((d) => `${d.label}: ${d.description}`).join('\n'),
    scenarios.toString(),
    `sign-in (one Argon2id verification each), per sign-in: ${signIn}`,
    ...rotationLines(report.rotation ?? {}, deploymentLabels(report)).map((line) => `per rotation, ${line}`),
    memory,
    ...(report.micro.length ? [micro.toString()] : []),
    ...report.micro.flatMap((m) => m.notes),
    comparisonTable(report).toString(),
    targets.toString(),
    ...report.notes,
  ].join('\n');
}

export const deploymentLabels = (report: BenchReport) =>
  Object.fromEntries(report.deployments.map((d) => [d.name, d.label])) as Record<DatabaseName, string>;

export function describeMachine(): string {
  const cpus = os.cpus();
  const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');
  return `${cpus.length} x ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 1024 ** 3)} GB RAM, ${os.type()} ${os.release()}, Node.js ${process.version}; load average at the end of the run ${load}`;
}
