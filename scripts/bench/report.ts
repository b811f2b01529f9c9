/**
 * The benchmark's output: a table on the terminal, docs/benchmarks.md, and a chart of the ratios
 * (docs/benchmarks.svg) drawn by Vega-Lite, rendered to SVG by Vega headless (no browser, no canvas).
 * Every scenario has a column group per deployment (SQLite, PostgreSQL), side by side.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import Table from 'cli-table3';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { formatSpread, type Spread } from './stats';
import type { MicroReport } from './micro';
import type { DatabaseName } from './deployments';

/** What one scenario measured on one deployment: medians over the rounds, with their ranges. */
export type ScenarioResult = {
  requestsPerSecond: Spread;
  p50: Spread;
  p99: Spread;
  errors: number;
  /** Throughput over the same round's baseline on the same deployment, per round. */
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
  notes: string[];
};

export type Comparison = { what: string; results: Partial<Record<DatabaseName, Spread>> };

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

/**
 * The columns of the side-by-side table: per deployment, then PostgreSQL over SQLite when both ran.
 * (The p50 latencies are in docs/benchmarks.json: the table is wide enough with two deployments.)
 */
function scenarioColumns(report: BenchReport): { head: string[]; rows: string[][] } {
  const both = report.deployments.length > 1;
  const head = ['scenario', 'mode'];
  for (const d of report.deployments) {
    head.push(`${d.label}: req/s`, 'p99 ms', 'x baseline', 'server CPU us/req');
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
    memory,
    ...(report.micro.length ? [micro.toString()] : []),
    ...report.micro.flatMap((m) => m.notes),
    comparisonTable(report).toString(),
    targets.toString(),
    ...report.notes,
  ].join('\n');
}

function versionOf(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(`node_modules/${pkg}/package.json`, 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

export function describeMachine(): string {
  const cpus = os.cpus();
  const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');
  return `${cpus.length} x ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 1024 ** 3)} GB RAM, ${os.type()} ${os.release()}, Node.js ${process.version}; load average at the end of the run ${load}`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

export function markdown(report: BenchReport, explanation: string): string {
  const versions = ['next', 'react', 'jose', '@prisma/client', '@prisma/adapter-better-sqlite3', 'better-sqlite3', '@prisma/adapter-pg', 'pg', 'argon2', 'autocannon', 'tinybench', 'vega', 'vega-lite']
    .map((p) => `${p} ${versionOf(p)}`)
    .join(', ');
  const columns = scenarioColumns(report);
  const row = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  const both = report.deployments.length > 1;
  const lines = [
    '# Benchmarks: what stateless and stateful session checks cost',
    '',
    '<!-- Written by `npm run bench` (scripts/bench/run.ts); the analysis below the results comes from scripts/bench/analysis.md. -->',
    '',
    `Run ${report.startedAt.toISOString()} in ${Math.round(report.durationSeconds)} s: ${report.settings.rounds} interleaved rounds, ` +
      `${report.settings.connections} connections, ${report.settings.durationSeconds} s per scenario per round and deployment, ` +
      `server heap \`${report.settings.heap}\`.`,
    '',
    `- Machine: ${report.machine}. The load generator runs on the same machine, so it takes CPU from the server: compare ratios, not absolute numbers.`,
    ...report.deployments.map((d) => `- ${d.label}: ${d.description}`),
    `- Packages: ${versions}.`,
    '',
    '![Throughput of each request relative to GET /api/health, per deployment](benchmarks.svg)',
    '',
    '## Requests',
    '',
    'Each figure is the median of the rounds, with the range of the rounds in brackets. "x baseline" is the throughput divided by that of `GET /api/health` on the same deployment in the same round. "server CPU" is the user and system time the app server\'s processes used during the scenario divided by the requests served (from /proc): steadier than requests per second when other work shares the machine. SQLite works inside the app\'s process, so its cost is in that figure; PostgreSQL works in processes of its own, whose CPU time is the separate "PostgreSQL CPU" column.' +
      (both
        ? ' Every scenario runs on both deployments back to back in each round (which goes first alternates), so "PostgreSQL / SQLite" compares runs seconds apart; it is shown for the requests that reach the database, since the others run the same code on both.'
        : ''),
    '',
    row(columns.head),
    `|${columns.head.map(() => '---').join('|')}|`,
    ...columns.rows.map(row),
    '',
    `Sign-in (\`POST /api/auth/login\`, one request at a time, one Argon2id verification each), per sign-in: ` +
      report.deployments.map((d) => `${d.label} ${report.signIn[d.name] ? formatSpread(report.signIn[d.name]!, 0, ' ms') : 'n/a'}`).join(', ') +
      '.',
    '',
    'Peak server memory (RSS, the kernel\'s high-water mark, per round):',
    '',
    ...report.memory.map((m) => `- ${m.server}: ${m.peaksByRound.map(mb).join(', ')}`),
    '',
    '## Micro-benchmarks (in process)',
    '',
    '| group | what | median us | mean us |',
    '|---|---|---|---|',
    ...report.micro.flatMap((m) => m.results.map((r) => `| ${r.group} | ${cell(r.name)} | ${r.p50Microseconds.toFixed(1)} | ${r.meanMicroseconds.toFixed(1)} |`)),
    ...report.micro.flatMap((m) => m.notes.map((n) => `\n${n}`)),
    '',
    '## Stateless against a lookup, on each deployment',
    '',
    'Ratios taken within each round on the same deployment (median, and the range of the rounds). The CPU figures add PostgreSQL\'s own CPU time to the app server\'s, so both deployments count all the work a request causes on this machine.',
    '',
    row(['comparison', ...report.deployments.map((d) => d.label)]),
    `|---|${report.deployments.map(() => '---').join('|')}|`,
    ...report.comparisons.map((c) => row([c.what, ...report.deployments.map((d) => (c.results[d.name] ? formatSpread(c.results[d.name]!, 2) : ''))])),
    '',
    '## Targets',
    '',
    'Each target is judged on each deployment on its own, against that deployment\'s baseline.',
    '',
    row(['target', ...report.deployments.map((d) => d.label)]),
    `|---|${report.deployments.map(() => '---').join('|')}|`,
    ...report.targets.map((t) =>
      row([t.target, ...report.deployments.map((d) => {
        const v = t.results[d.name];
        return v ? `${v.measured}: **${v.status}**` : '';
      })]),
    ),
    '',
    ...report.notes.map((n) => `${n}\n`),
    explanation.trim(),
    '',
  ];
  return lines.join('\n');
}

/**
 * A bar per scenario and deployment (one panel each, side by side): its median ratio to that
 * deployment's baseline, a line for the rounds' range, a rule at 1.
 */
export async function ratioChart(report: BenchReport): Promise<string> {
  const values = report.deployments.flatMap((d) =>
    report.scenarios.flatMap((s) => {
      const r = s.results[d.name];
      if (!r) return [];
      return [
        {
          deployment: d.label,
          scenario: s.id.endsWith('-revocation') ? `${s.short} (revocation list)` : s.short,
          mode: s.mode.startsWith('revocation-list') ? (s.mode === 'revocation-list' ? 'revocation list' : 'revocation list (absent)') : s.mode || 'no token check',
          ratio: Number(r.ratio.median.toFixed(3)),
          low: r.ratio.min,
          high: r.ratio.max,
        },
      ];
    }),
  );
  const y = { field: 'scenario', type: 'nominal', sort: null, title: null, axis: { labelLimit: 320 } } as const;
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Throughput relative to GET /api/health on the same deployment (median of rounds; line: range of rounds, cut at 1.2)', anchor: 'start', fontSize: 13 },
    background: 'white',
    data: { values },
    facet: { column: { field: 'deployment', type: 'nominal', title: null, sort: report.deployments.map((d) => d.label), header: { labelFontSize: 12, labelFontWeight: 'bold' } } },
    spec: {
      width: report.deployments.length > 1 ? 300 : 440,
      layer: [
        {
          mark: { type: 'bar', height: 16 },
          encoding: {
            y,
            x: { field: 'ratio', type: 'quantitative', title: 'x baseline throughput', scale: { domain: [0, 1.2], clamp: true } },
            color: { field: 'mode', type: 'nominal', title: 'check', scale: { scheme: 'tableau10' }, legend: { labelLimit: 0, orient: 'bottom', columns: 3 } },
          },
        },
        { mark: { type: 'rule', color: '#333' }, encoding: { y, x: { field: 'low', type: 'quantitative' }, x2: { field: 'high' } } },
        { mark: { type: 'text', align: 'left', dx: 3, dy: -8, fontSize: 10 }, encoding: { y, x: { field: 'ratio', type: 'quantitative' }, text: { field: 'ratio', type: 'quantitative', format: '.2f' } } },
        { mark: { type: 'rule', strokeDash: [4, 3], color: '#888' }, encoding: { x: { datum: 1 } } },
      ],
    },
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
