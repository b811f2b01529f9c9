/**
 * `npm run bench [-- --quick] [-- --rounds N --duration S --connections N --heap MB]`
 *
 * Measures what each kind of session check costs on this machine, side by side in one run:
 * 1. builds the app if the build is missing or older than the source;
 * 2. makes a temporary SQLite database (migrated, demo users seeded) and starts two `next start`
 *    servers on it, on free ports: one stateless (the default), one with
 *    ACCESS_TOKEN_CHECK=revocation-list (until that mode exists in the build, it serves statelessly:
 *    the run checks which, and labels its results so);
 * 3. drives them from this process with autocannon, the same connections and duration for every
 *    scenario, interleaved over several rounds (the order rotates each round), and reads the servers'
 *    peak memory from /proc each round;
 * 4. times sign-ins, then runs the in-process micro-benchmarks (micro.ts) once per check mode;
 * 5. prints a table with every target marked met or missed and, except in --quick mode, writes
 *    docs/benchmarks.md and docs/benchmarks.svg.
 * Everything it started is stopped on the way out, also on Ctrl-C or a failure. It fails (exit 1) on
 * any error answer, false reuse detection or crash; targets are reported, never asserted, so a noisy
 * machine cannot fail `npm test` (which runs --quick).
 *
 * Run the full benchmark alone on the machine: `flock /tmp/e2e.lock npm run bench`.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { spread, formatSpread, type Spread } from './stats';
import type { BenchReport, ScenarioSummary, TargetVerdict } from './report';
import type { MicroReport } from './micro';
import type { LoadResult, LoadSettings } from './load';
import type { BenchServer } from './server';

const ROOT = path.resolve(import.meta.dirname, '../..');
process.chdir(ROOT);

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    connections: { type: 'string' },
    heap: { type: 'string', default: '256' },
    profile: { type: 'string' },
    render: { type: 'boolean', default: false },
  },
});
const quick = args.quick!;
/** `--profile <scenario id>`: run only that scenario, with the V8 CPU profiler on in the stateless server. */
const profileScenario = args.profile;
const settings = {
  rounds: Number(args.rounds ?? (quick ? 1 : 6)),
  durationSeconds: Number(args.duration ?? (quick ? 1 : 2)),
  connections: Number(args.connections ?? (quick ? 4 : 50)),
  heap: `--max-old-space-size=${Number(args.heap)}`,
};

// The benchmark process and both servers share one configuration: set it before any lib/ module reads it.
const workdir = mkdtempSync(path.join(tmpdir(), 'bench-'));
const databaseUrl = `file:${path.join(workdir, 'bench.db')}`;
const sharedEnv = {
  DATABASE_URL: databaseUrl,
  ACCESS_TOKEN_KEYS: `bench:${randomBytes(32).toString('base64url')}`,
  HOUSEKEEPING_INTERVAL_SECONDS: '0', // no pruning in the middle of a measurement
};
Object.assign(process.env, sharedEnv);

const { applyMigrations } = await import('../lib/migrations');
const { db } = await import('../../lib/db/client');
const { MAX_ROTATIONS_PER_ACCESS_TOKEN_LIFETIME } = await import('../../lib/session/rotate-refresh-token');
const fixtures = await import('./fixtures');
const { startServer, stopAllServers } = await import('./server');
const { loadGet, loadRefreshChains } = await import('./load');
const { describeMachine, markdown, ratioChart, terminalTables } = await import('./report');

const log = (line: string) => process.stderr.write(`${line}\n`);
let cleanedUp = false;
async function cleanUp() {
  if (cleanedUp) return;
  cleanedUp = true;
  await stopAllServers();
  await db().$disconnect().catch(() => {});
  rmSync(workdir, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`\n${signal}: stopping the servers`);
    void cleanUp().finally(() => process.exit(130));
  });
}

/** The newest modification time under `entries` (files or folders), in ms. */
function newestSource(entries: string[]): number {
  let newest = 0;
  const visit = (entry: string) => {
    if (!existsSync(entry)) return;
    const stat = statSync(entry);
    if (stat.isDirectory()) for (const child of readdirSync(entry)) visit(path.join(entry, child));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  entries.forEach(visit);
  return newest;
}

function buildIfNeeded() {
  const buildId = '.next/BUILD_ID';
  const sources = ['app', 'lib', 'proxy.ts', 'instrumentation.ts', 'next.config.js', 'package.json'];
  if (existsSync(buildId) && statSync(buildId).mtimeMs > newestSource(sources)) return;
  log('The build is missing or older than the source: next build');
  const result = spawnSync(process.execPath, ['node_modules/next/dist/bin/next', 'build'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  if (result.status !== 0) throw new Error('next build failed');
}

type Scenario = {
  id: string;
  /** For the chart. */
  short: string;
  label: string;
  mode: string;
  /** The server the scenario loads, whose CPU time is read around it. */
  server: BenchServer;
  run: (load: LoadSettings) => Promise<LoadResult>;
};

/** A scenario's result with the server's CPU time per request (steadier than req/s on a shared machine). */
type Measured = LoadResult & { cpuMicrosecondsPerRequest: number };

async function measure(scenario: Scenario, load: LoadSettings): Promise<Measured> {
  const before = scenario.server.cpuMicroseconds();
  const result = await scenario.run(load);
  return { ...result, cpuMicrosecondsPerRequest: (scenario.server.cpuMicroseconds() - before) / Math.max(result.requests, 1) };
}

async function main() {
  const startedAt = new Date();
  buildIfNeeded();

  log(`Database ${databaseUrl}: migrating and seeding`);
  await applyMigrations(databaseUrl);
  const { userId } = await fixtures.seedDatabase();

  log('Starting two next start servers (stateless, and ACCESS_TOKEN_CHECK=revocation-list)');
  const profileDir = path.join(workdir, 'profile');
  const profiling = profileScenario ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const stateless = await fixtures.startNamed(startServer, 'stateless', { ...sharedEnv }, settings.heap, profiling);
  const revocation = await fixtures.startNamed(
    startServer,
    'revocation-list',
    { ...sharedEnv, ACCESS_TOKEN_CHECK: 'revocation-list' },
    settings.heap,
  );
  const servers = [stateless, revocation];

  // Which behaviour each server really has: the premise says a stateless server keeps accepting a
  // signed-out session's token; a revocation list refuses it.
  const statelessRefuses = await fixtures.refusesSignedOutToken(stateless.url, userId, 0);
  const revocationActive = await fixtures.refusesSignedOutToken(revocation.url, userId);
  const revocationMode = revocationActive ? 'revocation-list' : 'revocation-list (absent: stateless)';
  const notes: string[] = [];
  if (statelessRefuses) notes.push('Unexpected: the stateless server refused a signed-out session\'s token at once.');
  if (!revocationActive) {
    notes.push(
      'ACCESS_TOKEN_CHECK=revocation-list is not in this build: the server started with it still accepted a signed-out ' +
        'session\'s token, so its rows measure the stateless path and its target is not measured.',
    );
  }
  log(`revocation-list server ${revocationActive ? 'refuses' : 'still accepts'} a signed-out session's token`);

  const { cookie } = await fixtures.signedInCookie(userId);
  const withSession = { cookie };
  let refreshPool: string[] = [];
  const get = (server: { url: string }, pathname: string, headers: Record<string, string> = {}) => (load: LoadSettings) =>
    loadGet(`${server.url}${pathname}`, headers, load);

  const scenarios: Scenario[] = [
    { id: 'health', short: 'GET /api/health (baseline)', label: 'GET /api/health (baseline, outside the proxy)', mode: '', server: stateless, run: get(stateless, '/api/health') },
    { id: 'pass-through', short: 'proxy that does nothing', label: 'GET /probe/pass-through (a proxy that does nothing)', mode: '', server: stateless, run: get(stateless, '/probe/pass-through', withSession) },
    { id: 'proxy-public', short: 'proxy: CSP', label: 'GET /probe/public (proxy sets the CSP, no token check)', mode: '', server: stateless, run: get(stateless, '/probe/public', withSession) },
    { id: 'proxy-verify', short: 'proxy: CSP + token check', label: 'GET /probe/signed-in (proxy verifies the token, sets the CSP)', mode: 'stateless', server: stateless, run: get(stateless, '/probe/signed-in', withSession) },
    { id: 'me', short: 'GET /api/me', label: 'GET /api/me', mode: 'stateless', server: stateless, run: get(stateless, '/api/me', withSession) },
    { id: 'dashboard', short: 'GET /dashboard', label: 'GET /dashboard (server-rendered page)', mode: 'stateless', server: stateless, run: get(stateless, '/dashboard', withSession) },
    { id: 'me-revocation', short: 'GET /api/me', label: 'GET /api/me', mode: revocationMode, server: revocation, run: get(revocation, '/api/me', withSession) },
    { id: 'dashboard-revocation', short: 'GET /dashboard', label: 'GET /dashboard (server-rendered page)', mode: revocationMode, server: revocation, run: get(revocation, '/dashboard', withSession) },
    { id: 'session-row', short: 'GET /api/me/active (session row)', label: 'GET /api/me/active (token and session row through Prisma)', mode: 'session row', server: stateless, run: get(stateless, '/api/me/active', withSession) },
    {
      id: 'refresh',
      short: 'POST /api/auth/refresh (rotation)',
      label: `POST /api/auth/refresh (${settings.connections} rotation chains)`,
      mode: 'rotation',
      server: stateless,
      run: (load) => loadRefreshChains(stateless.url, refreshPool, MAX_ROTATIONS_PER_ACCESS_TOKEN_LIFETIME, load),
    },
  ];

  if (profileScenario) {
    const scenario = scenarios.find((s) => s.id === profileScenario);
    if (!scenario) throw new Error(`--profile: no scenario "${profileScenario}" (${scenarios.map((s) => s.id).join(', ')})`);
    refreshPool = await fixtures.refreshTokenPool(userId, 20_000);
    await scenario.run({ ...settings, durationSeconds: 2, showProgress: false });
    const result = await measure(scenario, { ...settings, showProgress: false });
    log(`${scenario.label}: ${Math.round(result.requestsPerSecond)} req/s, ${Math.round(result.cpuMicrosecondsPerRequest)} us CPU per request, ${result.errors} errors`);
    await stopAllServers();
    const { summariseProfiles } = await import('./profile');
    console.log(summariseProfiles(profileDir));
    return;
  }

  // Warm-up: every path answers correctly, and each server has run every route once under load.
  // (--quick skips it: its one short round checks every answer anyway.)
  let healthRps = 0;
  for (const scenario of quick ? [] : scenarios) {
    if (scenario.id === 'refresh') refreshPool = await fixtures.refreshTokenPool(userId, settings.connections * 4);
    const warm = await scenario.run({ connections: settings.connections, durationSeconds: 1, showProgress: false });
    if (warm.errors > 0) throw new Error(`warm-up: ${scenario.label} answered ${warm.errors} errors`);
    if (scenario.id === 'health') healthRps = warm.requestsPerSecond;
  }
  log(`Warm-up done (baseline about ${Math.round(healthRps)} req/s)`);

  const rounds: Record<string, Measured>[] = [];
  const peaks = new Map(servers.map((s) => [s.name, [] as number[]]));
  const signIns: number[] = [];
  const reuseSince = new Date();
  for (let round = 0; round < settings.rounds; round++) {
    // Enough fresh sessions for the refresh chains even at the baseline's rate, made before the clock runs.
    const needed = Math.ceil(((Math.max(healthRps, 500) * settings.durationSeconds) / MAX_ROTATIONS_PER_ACCESS_TOKEN_LIFETIME) * 1.5) + settings.connections;
    refreshPool = await fixtures.refreshTokenPool(userId, needed);
    servers.forEach((s) => s.resetPeak());
    const results: Record<string, Measured> = {};
    const order = scenarios.map((_, i) => scenarios[(i + round) % scenarios.length]);
    for (const [index, scenario] of order.entries()) {
      log(`round ${round + 1}/${settings.rounds} [${index + 1}/${order.length}] ${scenario.label}${scenario.mode ? ` (${scenario.mode})` : ''}`);
      const result = await measure(scenario, { ...settings, showProgress: !quick && process.stderr.isTTY });
      results[scenario.id] = result;
      if (scenario.id === 'health') healthRps = result.requestsPerSecond;
      const chains = result.chains ? `, ${result.chains.rotations} rotations, ${result.chains.notRotated} not rotated` : '';
      log(`  ${Math.round(result.requestsPerSecond)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, server CPU ${Math.round(result.cpuMicrosecondsPerRequest)} us/request, ${result.errors} errors${chains}`);
    }
    for (let i = 0; i < (quick ? 1 : 4); i++) signIns.push(await fixtures.timedSignIn(stateless.url));
    for (const server of servers) peaks.get(server.name)!.push(server.peakRss());
    rounds.push(results);
  }
  const falseReuse = await fixtures.reuseDetections(reuseSince);
  const machine = describeMachine();
  await stopAllServers();

  log('Micro-benchmarks (in process)');
  const micro: MicroReport[] = [];
  for (const mode of ['stateless', 'revocation-list']) {
    const child = spawnSync(
      process.execPath,
      ['--conditions=react-server', '--import', 'tsx', 'scripts/bench/micro.ts', ...(quick ? ['--quick'] : [])],
      { env: { ...process.env, ...sharedEnv, ACCESS_TOKEN_CHECK: mode }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
    );
    if (child.status !== 0) throw new Error(`micro-benchmarks (${mode}) failed`);
    micro.push(JSON.parse(child.stdout.trim().split('\n').at(-1)!) as MicroReport);
  }

  // Summaries: medians over rounds, ratios taken within each round.
  const perRound = (id: string, pick: (r: Measured) => number) => rounds.map((r) => pick(r[id]));
  const ratioPerRound = (id: string, baseId: string, pick: (r: Measured) => number = (r) => r.requestsPerSecond) =>
    rounds.map((r) => pick(r[id]) / pick(r[baseId]));
  const summaries: ScenarioSummary[] = scenarios.map((s) => ({
    id: s.id,
    short: s.short,
    label: s.label,
    mode: s.mode,
    requestsPerSecond: spread(perRound(s.id, (r) => r.requestsPerSecond)),
    p50: spread(perRound(s.id, (r) => r.p50)),
    p99: spread(perRound(s.id, (r) => r.p99)),
    errors: perRound(s.id, (r) => r.errors).reduce((a, b) => a + b, 0),
    ratio: spread(ratioPerRound(s.id, 'health')),
    cpuMicrosecondsPerRequest: spread(perRound(s.id, (r) => r.cpuMicrosecondsPerRequest)),
  }));
  const byId = (id: string) => summaries.find((s) => s.id === id)!;
  const chainTotals = rounds.reduce(
    (t, r) => ({ rotations: t.rotations + r.refresh.chains!.rotations, notRotated: t.notRotated + r.refresh.chains!.notRotated }),
    { rotations: 0, notRotated: 0 },
  );

  const verdict = (ok: boolean): TargetVerdict['status'] => (ok ? 'met' : 'missed');
  /** How many rounds met a threshold on their own: a median near a threshold on a busy machine says little alone. */
  const roundsMeeting = (values: number[], ok: (v: number) => boolean) => `; ${values.filter(ok).length} of ${values.length} rounds`;
  const fmt = (s: Spread, digits = 2) => formatSpread(s, digits);
  const proxyVerify = spread(ratioPerRound('proxy-verify', 'proxy-public'));
  const proxyPageWork = spread(ratioPerRound('proxy-verify', 'pass-through'));
  const meRevocation = spread(ratioPerRound('me-revocation', 'me'));
  const dashboardRevocation = spread(ratioPerRound('dashboard-revocation', 'dashboard'));
  const refreshP99 = spread(ratioPerRound('refresh', 'health', (r) => r.p99));
  const refresh = byId('refresh');
  const maxPeak = Math.max(...[...peaks.values()].flat());
  // The first round is where the heap fills up to its working size (V8 collects lazily up to the
  // --max-old-space-size limit); growth is judged from the second round on.
  const growth = [...peaks.values()].map((p) => p.at(-1)! / p[Math.min(1, p.length - 1)]);
  const targets: TargetVerdict[] = [
    {
      target: 'GET /api/me at least 0.95x the baseline',
      measured: `${fmt(byId('me').ratio)}x${roundsMeeting(ratioPerRound('me', 'health'), (v) => v >= 0.95)}`,
      status: verdict(byId('me').ratio.median >= 0.95),
    },
    {
      target: 'a proxied page: verifying the token costs at most 5% (/probe/signed-in vs /probe/public, both with the CSP)',
      measured: `${fmt(proxyVerify)}x${roundsMeeting(ratioPerRound('proxy-verify', 'proxy-public'), (v) => v >= 0.95)} (token and CSP together vs the do-nothing proxy: ${fmt(proxyPageWork)}x)`,
      status: verdict(proxyVerify.median >= 0.95),
    },
    {
      target: 'revocation-list keeps at least 0.9x of stateless on /api/me and /dashboard',
      measured: `/api/me ${fmt(meRevocation)}x, /dashboard ${fmt(dashboardRevocation)}x${revocationActive ? '' : ' (mode absent: stateless vs stateless)'}`,
      status: revocationActive ? verdict(meRevocation.median >= 0.9 && dashboardRevocation.median >= 0.9) : 'not measured',
    },
    {
      target: `${settings.connections} concurrent refresh chains: zero errors, zero false reuse detections`,
      measured: `${refresh.errors} errors, ${falseReuse} reuse detections, ${chainTotals.rotations} rotations, ${chainTotals.notRotated} answered without rotating`,
      status: verdict(refresh.errors === 0 && falseReuse === 0 && chainTotals.notRotated === 0),
    },
    {
      target: 'refresh throughput at least 0.4x the baseline',
      measured: `${fmt(refresh.ratio)}x${roundsMeeting(ratioPerRound('refresh', 'health'), (v) => v >= 0.4)}`,
      status: verdict(refresh.ratio.median >= 0.4),
    },
    { target: 'refresh p99 at most 5x the baseline p99', measured: `${fmt(refreshP99, 1)}x (${fmt(refresh.p99, 0)} ms)`, status: verdict(refreshP99.median <= 5) },
    {
      target: `peak server RSS under 450 MB with ${settings.heap}`,
      measured: `${Math.round(maxPeak / 1024 / 1024)} MB`,
      status: verdict(maxPeak < 450 * 1024 * 1024),
    },
    {
      target: 'no memory growth from round to round (last round peak within 10% of the second; the first fills the heap)',
      measured: growth.map((g, i) => `${[...peaks.keys()][i]} ${g.toFixed(2)}x`).join(', '),
      status: settings.rounds < 3 ? 'not measured' : verdict(growth.every((g) => g <= 1.1)),
    },
  ];

  const report: BenchReport = {
    startedAt,
    machine,
    durationSeconds: (Date.now() - startedAt.getTime()) / 1000,
    settings,
    scenarios: summaries,
    signIn: spread(signIns),
    memory: [...peaks].map(([server, peaksByRound]) => ({ server, peaksByRound })),
    micro,
    targets,
    notes,
  };
  console.log(terminalTables(report));
  if (quick) {
    console.log('Quick mode: tiny load, so the ratios mean little; nothing written. Checked: every answer correct, nothing crashed.');
  } else {
    writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
    await writeDocs(report);
  }
  console.log(`Done in ${Math.round(report.durationSeconds)} s.`);

  const failures = [
    ...summaries.filter((s) => s.errors > 0).map((s) => `${s.label}: ${s.errors} error answers`),
    ...(falseReuse > 0 ? [`${falseReuse} false reuse detections`] : []),
    ...(chainTotals.notRotated > 0 ? [`${chainTotals.notRotated} refreshes answered without rotating (the pool of sessions ran out)`] : []),
  ];
  if (failures.length) throw new Error(failures.join('; '));
}

const RESULTS_FILE = 'docs/benchmarks.json';

/** docs/benchmarks.md (results, then scripts/bench/analysis.md) and docs/benchmarks.svg. */
async function writeDocs(report: BenchReport) {
  const analysis = readFileSync('scripts/bench/analysis.md', 'utf8');
  writeFileSync('docs/benchmarks.md', markdown(report, analysis));
  writeFileSync('docs/benchmarks.svg', await ratioChart(report));
  console.log(`Wrote docs/benchmarks.md and docs/benchmarks.svg (results kept in ${RESULTS_FILE})`);
}

try {
  if (args.render) {
    // `--render`: the documents again from the last full run's results, e.g. after editing the analysis.
    const saved = JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as BenchReport;
    await writeDocs({ ...saved, startedAt: new Date(saved.startedAt) });
  } else {
    await main();
  }
  await cleanUp();
} catch (error) {
  await cleanUp();
  console.error(`npm run bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
