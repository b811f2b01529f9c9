/**
 * docs/benchmarks.md (the results, then scripts/bench/analysis.md) and docs/benchmarks.svg, a chart of
 * the ratios drawn by Vega-Lite and rendered to SVG by Vega headless (no browser, no canvas).
 */
import { readFileSync } from 'node:fs';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { formatSpread } from './stats';
import { deploymentLabels, mb, scenarioColumns, type BenchReport } from './report';
import { rotationLines } from './rotation-counts';

const PACKAGES = ['next', 'react', 'jose', '@prisma/client', '@prisma/adapter-better-sqlite3', 'better-sqlite3', '@prisma/adapter-pg', 'pg', 'argon2', 'autocannon', 'tinybench', 'vega', 'vega-lite'];

const cell = (text: string) => text.replace(/\|/g, '\\|');
const row = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
/** A table with a text column, then one column per deployment. */
const perDeployment = (report: BenchReport, first: string) => [row([first, ...report.deployments.map((d) => d.label)]), `|---|${report.deployments.map(() => '---').join('|')}|`];

export function markdown(report: BenchReport, explanation: string): string {
  return [
    ...overview(report),
    ...requests(report),
    ...microBenchmarks(report),
    ...comparisons(report),
    ...targets(report),
    ...report.notes.map((n) => `${n}\n`),
    explanation.trim(),
    '',
  ].join('\n');
}

function overview(report: BenchReport): string[] {
  const versions = PACKAGES.map((p) => `${p} ${versionOf(p)}`).join(', ');
  return [
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
    '![Throughput of each request relative to a bare Next.js route handler, per deployment](benchmarks.svg)',
    '',
  ];
}

function requests(report: BenchReport): string[] {
  const columns = scenarioColumns(report);
  const both = report.deployments.length > 1;
  return [
    '## Requests',
    '',
    'Each figure is the median of the rounds, with the range of the rounds in brackets. "x bare route" is the throughput divided by that of the baseline, a bare Next.js app\'s route handler (scripts/bench/bare-app/, built with the same installed `next`, started beside the deployments), measured back to back with the same deployment in the same round; this app\'s own `GET /api/health` is one scenario among the others. "server CPU" is the user and system time the app server\'s processes used during the scenario divided by the requests served (from /proc): steadier than requests per second when other work shares the machine. SQLite works inside the app\'s process, so its cost is in that figure; PostgreSQL works in processes of its own, whose CPU time is the separate "PostgreSQL CPU" column.' +
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
    ...rotationSection(report),
    'Peak server memory (RSS, the kernel\'s high-water mark, per round):',
    '',
    ...report.memory.map((m) => `- ${m.server}: ${m.peaksByRound.map(mb).join(', ')}`),
    '',
  ];
}

/** What one rotation asked of the database, counted in the server under the refresh scenario (rotation-counts.ts). */
function rotationSection(report: BenchReport): string[] {
  const lines = rotationLines(report.rotation ?? {}, deploymentLabels(report));
  if (!lines.length) return [];
  return [
    'Per rotation (`POST /api/auth/refresh` under the refresh scenario, counted inside the server by scripts/bench/database-counter.cjs: the statements its database driver executed, BEGIN and COMMIT included, and on PostgreSQL the round trips on each connection\'s socket, divided by the requests the server answered):',
    '',
    ...lines.map((line) => `- ${line}`),
    '',
  ];
}

function microBenchmarks(report: BenchReport): string[] {
  return [
    '## Micro-benchmarks (in process)',
    '',
    '| group | what | median us | mean us |',
    '|---|---|---|---|',
    ...report.micro.flatMap((m) => m.results.map((r) => `| ${r.group} | ${cell(r.name)} | ${r.p50Microseconds.toFixed(1)} | ${r.meanMicroseconds.toFixed(1)} |`)),
    ...report.micro.flatMap((m) => m.notes.map((n) => `\n${n}`)),
    '',
  ];
}

function comparisons(report: BenchReport): string[] {
  return [
    '## Stateless against a lookup, on each deployment',
    '',
    'Ratios taken within each round on the same deployment (median, and the range of the rounds). The CPU figures add PostgreSQL\'s own CPU time to the app server\'s, so both deployments count all the work a request causes on this machine.',
    '',
    ...perDeployment(report, 'comparison'),
    ...report.comparisons.map((c) => row([c.what, ...report.deployments.map((d) => (c.results[d.name] ? formatSpread(c.results[d.name]!, 2) : ''))])),
    '',
  ];
}

function targets(report: BenchReport): string[] {
  return [
    '## Targets',
    '',
    'Each target is judged on each deployment on its own, against the bare app measured beside it in the same rounds: its route handler, or for pages its dynamic page.',
    '',
    ...perDeployment(report, 'target'),
    ...report.targets.map((t) =>
      row([t.target, ...report.deployments.map((d) => {
        const v = t.results[d.name];
        return v ? `${v.measured}: **${v.status}**` : '';
      })]),
    ),
    '',
  ];
}

/**
 * A bar per scenario and deployment (one panel each, side by side): its median ratio to that
 * bare app's route handler measured beside that deployment, a line for the rounds' range, a rule at 1.
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
    title: { text: 'Throughput relative to a bare Next.js route handler, measured beside each deployment (median of rounds; line: range of rounds, cut at 1.2)', anchor: 'start', fontSize: 13 },
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
            x: { field: 'ratio', type: 'quantitative', title: 'x bare route throughput', scale: { domain: [0, 1.2], clamp: true } },
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

function versionOf(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(`node_modules/${pkg}/package.json`, 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}
