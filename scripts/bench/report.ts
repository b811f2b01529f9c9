/**
 * The benchmark's output: a table on the terminal, docs/benchmarks.md, and a chart of the ratios
 * (docs/benchmarks.svg) drawn by Vega-Lite, rendered to SVG by Vega headless (no browser, no canvas).
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import Table from 'cli-table3';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { formatSpread, type Spread } from './stats';
import type { MicroReport } from './micro';

export type ScenarioSummary = {
  id: string;
  /** For the chart. */
  short: string;
  label: string;
  mode: string;
  requestsPerSecond: Spread;
  p50: Spread;
  p99: Spread;
  errors: number;
  /** Throughput over the same round's baseline, per round. */
  ratio: Spread;
  /** The server's CPU time per request (user + system, from /proc), per round. */
  cpuMicrosecondsPerRequest: Spread;
  note?: string;
};

export type TargetVerdict = { target: string; measured: string; status: 'met' | 'missed' | 'not measured' };

export type BenchReport = {
  startedAt: Date;
  /** The machine and its load average, read at the end of the run. */
  machine: string;
  durationSeconds: number;
  settings: { rounds: number; connections: number; durationSeconds: number; heap: string };
  scenarios: ScenarioSummary[];
  signIn: Spread;
  memory: { server: string; peaksByRound: number[] }[];
  micro: MicroReport[];
  targets: TargetVerdict[];
  notes: string[];
};

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

export function terminalTables(report: BenchReport): string {
  const scenarios = new Table({
    head: ['scenario', 'mode', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'x baseline', 'server CPU us/req'],
    style: { head: [], border: [] },
  });
  for (const s of report.scenarios) {
    scenarios.push([s.label, s.mode, formatSpread(s.requestsPerSecond), formatSpread(s.p50), formatSpread(s.p99), String(s.errors), formatSpread(s.ratio, 2), formatSpread(s.cpuMicrosecondsPerRequest)]);
  }
  const targets = new Table({ head: ['target', 'measured', ''], style: { head: [], border: [] }, colWidths: [60, 44, 14], wordWrap: true });
  for (const t of report.targets) targets.push([t.target, t.measured, t.status.toUpperCase()]);
  const micro = new Table({ head: ['micro-benchmark (in process)', 'median us', 'mean us'], style: { head: [], border: [] } });
  for (const m of report.micro) for (const r of m.results) micro.push([r.name, r.p50Microseconds.toFixed(1), r.meanMicroseconds.toFixed(1)]);
  const memory = report.memory.map((m) => `${m.server}: peak RSS per round ${m.peaksByRound.map(mb).join(', ')}`).join('\n');
  return [
    scenarios.toString(),
    `sign-in (one Argon2id verification each): ${formatSpread(report.signIn, 0, ' ms')} per sign-in`,
    memory,
    micro.toString(),
    ...report.micro.flatMap((m) => m.notes),
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
  const versions = ['next', 'react', 'jose', '@prisma/client', '@prisma/adapter-better-sqlite3', 'better-sqlite3', 'argon2', 'autocannon', 'tinybench', 'vega', 'vega-lite']
    .map((p) => `${p} ${versionOf(p)}`)
    .join(', ');
  const lines = [
    '# Benchmarks: what stateless and stateful session checks cost',
    '',
    '<!-- Written by `npm run bench` (scripts/bench/run.ts); the analysis below the results comes from scripts/bench/analysis.md. -->',
    '',
    `Run ${report.startedAt.toISOString()} in ${Math.round(report.durationSeconds)} s: ${report.settings.rounds} interleaved rounds, ` +
      `${report.settings.connections} connections, ${report.settings.durationSeconds} s per scenario per round, ` +
      `server heap \`${report.settings.heap}\`.`,
    '',
    `- Machine: ${report.machine}. The load generator runs on the same machine, so it takes CPU from the server: compare ratios, not absolute numbers.`,
    `- Packages: ${versions}.`,
    '',
    '![Throughput of each request relative to GET /api/health](benchmarks.svg)',
    '',
    '## Requests',
    '',
    'Each figure is the median of the rounds, with the range of the rounds in brackets. "x baseline" is the throughput divided by that of `GET /api/health` in the same round. "server CPU" is the user and system time the server\'s processes used during the scenario divided by the requests served (from /proc): steadier than requests per second when other work shares the machine.',
    '',
    '| scenario | mode | req/s | p50 ms | p99 ms | errors | x baseline | server CPU us/request |',
    '|---|---|---|---|---|---|---|---|',
    ...report.scenarios.map(
      (s) =>
        `| ${cell(s.label)} | ${s.mode} | ${formatSpread(s.requestsPerSecond)} | ${formatSpread(s.p50)} | ${formatSpread(s.p99)} | ${s.errors} | ${formatSpread(s.ratio, 2)} | ${formatSpread(s.cpuMicrosecondsPerRequest)} |`,
    ),
    '',
    `Sign-in (\`POST /api/auth/login\`, one request at a time, one Argon2id verification each): ${formatSpread(report.signIn, 0, ' ms')} per sign-in.`,
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
    '## Targets',
    '',
    '| target | measured | |',
    '|---|---|---|',
    ...report.targets.map((t) => `| ${cell(t.target)} | ${cell(t.measured)} | **${t.status}** |`),
    '',
    ...report.notes.map((n) => `${n}\n`),
    explanation.trim(),
    '',
  ];
  return lines.join('\n');
}

/** A bar per scenario: its median ratio to the baseline, a line for the rounds' range, a rule at 1. */
export async function ratioChart(report: BenchReport): Promise<string> {
  const values = report.scenarios.map((s) => ({
    scenario: s.id.endsWith('-revocation') ? `${s.short} (revocation list)` : s.short,
    mode: s.mode.startsWith('revocation-list') ? (s.mode === 'revocation-list' ? 'revocation list' : 'revocation list (absent)') : s.mode || 'no token check',
    ratio: Number(s.ratio.median.toFixed(3)),
    low: s.ratio.min,
    high: s.ratio.max,
  }));
  const y = { field: 'scenario', type: 'nominal', sort: null, title: null, axis: { labelLimit: 320 } } as const;
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Throughput relative to GET /api/health (median of rounds; line: range of rounds, cut at 1.2)', anchor: 'start', fontSize: 13 },
    width: 440,
    background: 'white',
    data: { values },
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
      { data: { values: [{ one: 1 }] }, mark: { type: 'rule', strokeDash: [4, 3], color: '#888' }, encoding: { x: { field: 'one', type: 'quantitative' } } },
    ],
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
