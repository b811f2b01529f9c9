/**
 * `npm run bench [-- --quick] [-- --database sqlite|postgresql|both] [-- --rounds N --duration S --connections N --heap MB]`
 *
 * Measures what each kind of session check costs on this machine, side by side in one run, on two
 * deployments of the same build: SQLite (a file, the default deployment) and PostgreSQL (a database
 * across a socket, the deployment for several app instances):
 * 1. builds the app (a bench build: scripts/bench/bench-build.ts) if the build is missing, older than
 *    the source or no bench build;
 * 2. for each deployment (`--database`, default both), makes a temporary database (migrated, demo
 *    users seeded; PostgreSQL is a private throwaway server from Debian's package with its durability
 *    settings at their defaults: scripts/bench/deployments.ts) and starts two `next start` servers on
 *    it, on free ports: one stateless (the default), one with ACCESS_TOKEN_CHECK=revocation-list
 *    (until that mode exists in the build, it serves statelessly: the run checks which, and labels its
 *    results so);
 * 3. drives them from this process with autocannon, the same connections and duration for every
 *    scenario, interleaved over several rounds: the order of the scenarios rotates each round, and each
 *    scenario runs on every deployment back to back (which goes first alternates), so a burst of other
 *    work on the machine hits both alike; it reads the servers' peak memory from /proc each round, and
 *    their CPU time (and PostgreSQL's) around each scenario;
 * 4. times sign-ins, then runs the in-process micro-benchmarks (micro.ts) once per check mode, and the
 *    session-row lookup once more on PostgreSQL;
 * 5. prints one table with both deployments side by side and every target marked met or missed on
 *    each and, except in --quick mode, writes docs/benchmarks.md, .json and .svg.
 * Everything it started is stopped on the way out, also on Ctrl-C or a failure. It fails (exit 1) on
 * any error answer, false reuse detection or crash, and when PostgreSQL is not installed unless
 * `--database sqlite`; targets are reported, never asserted, so a noisy machine cannot fail
 * `npm test` (which runs --quick: both deployments, one short round, well under a minute).
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
import type { BenchReport, Comparison, DeploymentDescription, ScenarioResult, ScenarioSummary, TargetStatus, TargetVerdict } from './report';
import type { MicroReport } from './micro';
import type { LoadResult, LoadSettings } from './load';
import type { BenchServer } from './server';
import { BENCH_BUILD_ENV, isBenchBuild } from './bench-build';
import type { DatabaseName, Deployment } from './deployments';

const ROOT = path.resolve(import.meta.dirname, '../..');
process.chdir(ROOT);

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    database: { type: 'string', default: 'both' },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    connections: { type: 'string' },
    heap: { type: 'string', default: '256' },
    profile: { type: 'string' },
    scenarios: { type: 'string' },
    render: { type: 'boolean', default: false },
  },
});
const quick = args.quick!;
/** `--profile <scenario id>`: run only that scenario, with the V8 CPU profiler on in every server. */
const profileScenario = args.profile;
/**
 * `--scenarios health,refresh`: only these (the baseline is always added), e.g. to compare one route
 * before and after a change; the targets that need other scenarios, the micro-benchmarks and the
 * documents are left out.
 */
const onlyScenarios = args.scenarios ? new Set(['health', ...args.scenarios.split(',').map((id) => id.trim())]) : null;
const settings = {
  rounds: Number(args.rounds ?? (quick ? 1 : 6)),
  // --quick checks answers, it measures nothing: a second per scenario (autocannon's shortest: it
  // stops at its one-second tick) keeps both deployments together under a minute, server starts included.
  durationSeconds: Number(args.duration ?? (quick ? 1 : 2)),
  connections: Number(args.connections ?? (quick ? 4 : 50)),
  heap: `--max-old-space-size=${Number(args.heap)}`,
};
const DATABASE_CHOICES: Record<string, DatabaseName[]> = { sqlite: ['sqlite'], postgresql: ['postgresql'], both: ['sqlite', 'postgresql'] };
const databaseNames = DATABASE_CHOICES[args.database!];
if (!databaseNames) {
  console.error(`npm run bench: --database must be sqlite, postgresql or both (got ${JSON.stringify(args.database)})`);
  process.exit(2);
}

// The benchmark process and the servers share one configuration: set it before any lib/ module reads
// it. DATABASE_URL differs per deployment: it is set once the databases exist (main).
const workdir = mkdtempSync(path.join(tmpdir(), 'bench-'));
const sharedEnv = {
  ACCESS_TOKEN_KEYS: `bench:${randomBytes(32).toString('base64url')}`,
  HOUSEKEEPING_INTERVAL_SECONDS: '0', // no pruning in the middle of a measurement
};
Object.assign(process.env, sharedEnv);

/**
 * Rotations per chain before a connection moves to the next pooled session: one. A successor younger
 * than the grace window is answered with itself, not rotated again (lib/session/rotation-decision.ts),
 * so a chain presenting its successor at once would measure that cheaper answer instead. A browser
 * rotates once per access-token lifetime anyway.
 */
const ROTATIONS_PER_CHAIN = 1;
const fixtures = await import('./fixtures');
const { startServer, stopAllServers } = await import('./server');
const { startDeployment } = await import('./deployments');
const { loadGet, loadRefreshChains } = await import('./load');
const { describeMachine, markdown, ratioChart, terminalTables } = await import('./report');

const log = (line: string) => process.stderr.write(`${line}\n`);
const deployments: Deployment[] = [];
let cleanedUp = false;
async function cleanUp() {
  if (cleanedUp) return;
  cleanedUp = true;
  await stopAllServers();
  for (const deployment of deployments) await deployment.stop().catch(() => {});
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
  if (existsSync(buildId) && statSync(buildId).mtimeMs > newestSource(sources) && isBenchBuild()) return;
  log('The build is missing, older than the source or no bench build: BENCH_ROUTES=1 next build');
  const result = spawnSync(process.execPath, ['node_modules/next/dist/bin/next', 'build'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...BENCH_BUILD_ENV },
  });
  if (result.status !== 0) throw new Error('next build failed');
}

/** One deployment under test: its database, its two servers, and what the scenarios need from it. */
type Target = {
  deployment: Deployment;
  userId: string;
  stateless: BenchServer;
  revocation: BenchServer;
  revocationActive: boolean;
  /** The `Cookie` header of a signed-in browser on this deployment. */
  cookie: string;
  /** Fresh sessions for the refresh chains, made before each round. */
  refreshPool: string[];
  /** The baseline's throughput in the last round: sizes the next round's refresh pool. */
  healthRps: number;
};

type Scenario = {
  id: string;
  /** For the chart. */
  short: string;
  label: string;
  mode: (target: Target) => string;
  /** Does the request reach the database? Only then can the deployments differ by more than noise. */
  touchesDatabase: boolean;
  /** The server the scenario loads, whose CPU time is read around it. */
  server: (target: Target) => BenchServer;
  run: (target: Target, load: LoadSettings) => Promise<LoadResult>;
};

/** A scenario's result with the server's CPU time per request (steadier than req/s on a shared machine), and the database's. */
type Measured = LoadResult & { cpuMicrosecondsPerRequest: number; databaseCpuMicrosecondsPerRequest: number | null };

async function measure(scenario: Scenario, target: Target, load: LoadSettings): Promise<Measured> {
  const server = scenario.server(target);
  const databaseCpu = target.deployment.databaseCpuMicroseconds;
  const before = server.cpuMicroseconds();
  const databaseBefore = databaseCpu?.() ?? 0;
  const result = await scenario.run(target, load);
  const requests = Math.max(result.requests, 1);
  return {
    ...result,
    cpuMicrosecondsPerRequest: (server.cpuMicroseconds() - before) / requests,
    databaseCpuMicrosecondsPerRequest: databaseCpu ? (databaseCpu() - databaseBefore) / requests : null,
  };
}

const revocationMode = (target: Target) => (target.revocationActive ? 'revocation-list' : 'revocation-list (absent: stateless)');

function scenarios(): Scenario[] {
  const get = (pick: (t: Target) => BenchServer, pathname: string, withSession: boolean) => (t: Target, load: LoadSettings) =>
    loadGet(`${pick(t).url}${pathname}`, withSession ? { cookie: t.cookie } : {}, load);
  const stateless = (t: Target) => t.stateless;
  const revocation = (t: Target) => t.revocation;
  const none = () => '';
  return [
    { id: 'health', short: 'GET /api/health (baseline)', label: 'GET /api/health (baseline, outside the proxy)', mode: none, touchesDatabase: false, server: stateless, run: get(stateless, '/api/health', false) },
    { id: 'pass-through', short: 'proxy that does nothing', label: 'GET /probe/pass-through (a proxy that does nothing)', mode: none, touchesDatabase: false, server: stateless, run: get(stateless, '/probe/pass-through', true) },
    { id: 'proxy-public', short: 'proxy: CSP', label: 'GET /probe/public (proxy sets the CSP, no token check)', mode: none, touchesDatabase: false, server: stateless, run: get(stateless, '/probe/public', true) },
    { id: 'proxy-verify', short: 'proxy: CSP + token check', label: 'GET /probe/signed-in (proxy verifies the token, sets the CSP)', mode: () => 'stateless', touchesDatabase: false, server: stateless, run: get(stateless, '/probe/signed-in', true) },
    { id: 'me', short: 'GET /api/me', label: 'GET /api/me', mode: () => 'stateless', touchesDatabase: false, server: stateless, run: get(stateless, '/api/me', true) },
    // The dashboard reads the session row for its token-lifecycle picture (lib/session/session-timeline.ts).
    { id: 'dashboard', short: 'GET /dashboard', label: 'GET /dashboard (server-rendered page)', mode: () => 'stateless', touchesDatabase: true, server: stateless, run: get(stateless, '/dashboard', true) },
    // The list is read from the database at most twice a second per process, shared by the reads waiting.
    { id: 'me-revocation', short: 'GET /api/me', label: 'GET /api/me', mode: revocationMode, touchesDatabase: true, server: revocation, run: get(revocation, '/api/me', true) },
    { id: 'dashboard-revocation', short: 'GET /dashboard', label: 'GET /dashboard (server-rendered page)', mode: revocationMode, touchesDatabase: true, server: revocation, run: get(revocation, '/dashboard', true) },
    { id: 'session-row', short: 'GET /api/me/active (session row)', label: 'GET /api/me/active (token and session row through Prisma)', mode: () => 'session row', touchesDatabase: true, server: stateless, run: get(stateless, '/api/me/active', true) },
    {
      id: 'refresh',
      short: 'POST /api/auth/refresh (rotation)',
      label: `POST /api/auth/refresh (${settings.connections} rotation chains)`,
      mode: () => 'rotation',
      touchesDatabase: true,
      server: stateless,
      run: (t, load) => loadRefreshChains(t.stateless.url, t.refreshPool, ROTATIONS_PER_CHAIN, load),
    },
  ];
}

/** Where a server writes its CPU profiles (--profile). */
const profileDir = (serverName: string) => path.join(workdir, `profile-${serverName.replace(/[^a-z0-9]+/gi, '-')}`);

/** A deployment's two servers, started together (they need nothing from the database to start). */
function startServers(deployment: Deployment, profiling: boolean): Promise<[BenchServer, BenchServer]> {
  const env = { ...sharedEnv, DATABASE_URL: deployment.databaseUrl };
  const profileArgs = (name: string) => (profiling ? ['--cpu-prof', `--cpu-prof-dir=${profileDir(name)}`] : []);
  const names = [`${deployment.name} stateless`, `${deployment.name} revocation-list`];
  return Promise.all([
    fixtures.startNamed(startServer, names[0], env, settings.heap, profileArgs(names[0])),
    fixtures.startNamed(startServer, names[1], { ...env, ACCESS_TOKEN_CHECK: 'revocation-list' }, settings.heap, profileArgs(names[1])),
  ]);
}

/**
 * A deployment's database seeded, and its servers checked. One deployment at a time: the fixtures
 * reach the database through `deployment.use`.
 */
async function prepare(deployment: Deployment, [stateless, revocation]: [BenchServer, BenchServer]): Promise<Target> {
  const { userId } = await deployment.use(() => fixtures.seedDatabase());
  // Which behaviour each server really has: the premise says a stateless server keeps accepting a
  // signed-out session's token; a revocation list refuses it.
  const statelessRefuses = await deployment.use(() => fixtures.refusesSignedOutToken(stateless.url, userId, 0));
  if (statelessRefuses) throw new Error(`${deployment.label}: the stateless server refused a signed-out session's token at once`);
  const revocationActive = await deployment.use(() => fixtures.refusesSignedOutToken(revocation.url, userId));
  log(`${deployment.label}: the revocation-list server ${revocationActive ? 'refuses' : 'still accepts'} a signed-out session's token`);
  const { cookie } = await deployment.use(() => fixtures.signedInCookie(userId));
  return { deployment, userId, stateless, revocation, revocationActive, cookie, refreshPool: [], healthRps: 0 };
}

async function describeDeployment(target: Target): Promise<DeploymentDescription> {
  const { deployment } = target;
  if (deployment.name === 'sqlite') {
    const { journalMode, synchronous } = await deployment.use(() => fixtures.sqliteDurability());
    return {
      name: 'sqlite',
      label: deployment.label,
      description:
        `a file in the temporary directory, opened by better-sqlite3 inside each server's process (one connection per process); ` +
        `journal ${journalMode}, synchronous ${synchronous}` +
        (synchronous === 'NORMAL' ? ' (better-sqlite3\'s default in WAL mode: each commit is written to the log at once but synced to disk only at checkpoints, so it survives a crash of the app, not a power cut)' : ''),
    };
  }
  const settingsRead = await deployment.use(() =>
    fixtures.postgresSettings(['server_version', 'fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers']),
  );
  return {
    name: 'postgresql',
    label: deployment.label,
    description:
      `PostgreSQL ${settingsRead.server_version} on this machine, reached over TCP on loopback through @prisma/adapter-pg ` +
      `(a pool of up to ${process.env.DATABASE_POOL_SIZE ?? 10} connections per server process); durability at its defaults: ` +
      `fsync ${settingsRead.fsync}, synchronous_commit ${settingsRead.synchronous_commit}, full_page_writes ${settingsRead.full_page_writes}, shared_buffers ${settingsRead.shared_buffers}` +
      (deployment.databaseCpuMicroseconds ? '' : '; its CPU time is not visible from here (a server elsewhere)'),
  };
}

async function main() {
  const startedAt = new Date();
  buildIfNeeded();

  for (const name of databaseNames) {
    log(`${name}: a temporary database, migrating it`);
    deployments.push(await startDeployment(name));
  }
  // The configuration wants a DATABASE_URL; each deployment's client and servers get their own.
  process.env.DATABASE_URL = deployments[0].databaseUrl;

  log(`Starting two next start servers per deployment (stateless, and ACCESS_TOKEN_CHECK=revocation-list): ${deployments.map((d) => d.label).join(', ')}`);
  const started = await Promise.all(deployments.map((d) => startServers(d, profileScenario !== undefined)));
  const targets: Target[] = [];
  for (const [i, deployment] of deployments.entries()) targets.push(await prepare(deployment, started[i]));
  const notes: string[] = [];
  for (const target of targets.filter((t) => !t.revocationActive)) {
    notes.push(
      `${target.deployment.label}: ACCESS_TOKEN_CHECK=revocation-list is not in this build: the server started with it still accepted a signed-out ` +
        'session\'s token, so its rows measure the stateless path and its target is not measured.',
    );
  }
  const every = scenarios();
  const unknown = [...(onlyScenarios ?? [])].filter((id) => !every.some((s) => s.id === id));
  if (unknown.length) throw new Error(`--scenarios: no scenario ${unknown.join(', ')} (${every.map((s) => s.id).join(', ')})`);
  const all = onlyScenarios ? every.filter((s) => onlyScenarios.has(s.id)) : every;
  const servers = targets.flatMap((t) => [t.stateless, t.revocation]);
  const pool = (target: Target, count: number) => target.deployment.use(() => fixtures.refreshTokenPool(target.userId, count));

  if (profileScenario) {
    const scenario = all.find((s) => s.id === profileScenario);
    if (!scenario) throw new Error(`--profile: no scenario "${profileScenario}" (${all.map((s) => s.id).join(', ')})`);
    for (const target of targets) {
      target.refreshPool = await pool(target, 20_000);
      await scenario.run(target, { ...settings, durationSeconds: 2, showProgress: false });
      const result = await measure(scenario, target, { ...settings, showProgress: false });
      log(`${target.deployment.label}, ${scenario.label}: ${Math.round(result.requestsPerSecond)} req/s, ${Math.round(result.cpuMicrosecondsPerRequest)} us CPU per request, ${result.errors} errors`);
    }
    await stopAllServers();
    const { summariseProfiles } = await import('./profile');
    for (const target of targets) {
      const server = scenario.server(target);
      console.log(`${target.deployment.label}, ${server.name}\n${summariseProfiles(profileDir(server.name))}\n`);
    }
    return;
  }

  // Warm-up: every path answers correctly, and each server has run every route once under load.
  // (--quick skips it: its one short round checks every answer anyway.)
  for (const scenario of quick ? [] : all) {
    for (const target of targets) {
      if (scenario.id === 'refresh') target.refreshPool = await pool(target, settings.connections * 4);
      const warm = await scenario.run(target, { connections: settings.connections, durationSeconds: 1, showProgress: false });
      if (warm.errors > 0) throw new Error(`warm-up: ${target.deployment.label}, ${scenario.label} answered ${warm.errors} errors`);
      if (scenario.id === 'health') target.healthRps = warm.requestsPerSecond;
    }
  }
  if (!quick) log(`Warm-up done (baseline about ${targets.map((t) => `${Math.round(t.healthRps)} req/s on ${t.deployment.label}`).join(', ')})`);

  const rounds: Partial<Record<DatabaseName, Record<string, Measured>>>[] = [];
  const peaks = new Map(servers.map((s) => [s.name, [] as number[]]));
  const signIns = new Map(targets.map((t) => [t.deployment.name, [] as number[]]));
  const reuseSince = new Date();
  for (let round = 0; round < settings.rounds; round++) {
    // Enough fresh sessions for the refresh chains even at the baseline's rate, made before the clock runs.
    for (const target of targets) {
      const needed = Math.ceil(((Math.max(target.healthRps, 500) * settings.durationSeconds) / ROTATIONS_PER_CHAIN) * 1.5) + settings.connections;
      target.refreshPool = await pool(target, needed);
    }
    servers.forEach((s) => s.resetPeak());
    const results: Partial<Record<DatabaseName, Record<string, Measured>>> = Object.fromEntries(targets.map((t) => [t.deployment.name, {}]));
    const order = all.map((_, i) => all[(i + round) % all.length]);
    for (const [index, scenario] of order.entries()) {
      // Every deployment back to back, the first one alternating, so both meet the same noise.
      const turn = (round + index) % 2 === 0 ? targets : [...targets].reverse();
      for (const target of turn) {
        const mode = scenario.mode(target);
        log(`round ${round + 1}/${settings.rounds} [${index + 1}/${order.length}] ${target.deployment.label}: ${scenario.label}${mode ? ` (${mode})` : ''}`);
        const result = await measure(scenario, target, { ...settings, showProgress: !quick && process.stderr.isTTY });
        results[target.deployment.name]![scenario.id] = result;
        if (scenario.id === 'health') target.healthRps = result.requestsPerSecond;
        const chains = result.chains ? `, ${result.chains.rotations} rotations, ${result.chains.notRotated} not rotated` : '';
        const databaseCpu = result.databaseCpuMicrosecondsPerRequest === null ? '' : ` + PostgreSQL ${Math.round(result.databaseCpuMicrosecondsPerRequest)} us/request`;
        log(`  ${Math.round(result.requestsPerSecond)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, server CPU ${Math.round(result.cpuMicrosecondsPerRequest)} us/request${databaseCpu}, ${result.errors} errors${chains}`);
      }
    }
    for (const target of targets) {
      for (let i = 0; i < (quick ? 1 : 4); i++) signIns.get(target.deployment.name)!.push(await fixtures.timedSignIn(target.stateless.url));
    }
    for (const server of servers) peaks.get(server.name)!.push(server.peakRss());
    rounds.push(results);
  }
  const falseReuse = new Map<DatabaseName, number>();
  for (const target of targets) falseReuse.set(target.deployment.name, await target.deployment.use(() => fixtures.reuseDetections(reuseSince)));
  const descriptions: DeploymentDescription[] = [];
  for (const target of targets) descriptions.push(await describeDeployment(target));
  const machine = describeMachine();
  await stopAllServers();

  if (!onlyScenarios) log('Micro-benchmarks (in process)');
  const micro: MicroReport[] = [];
  const microRuns = onlyScenarios ? [] : [
    ...['stateless', 'revocation-list'].map((mode) => ({ mode, deployment: deployments[0], flags: [] as string[] })),
    ...deployments.slice(1).map((deployment) => ({ mode: 'stateless', deployment, flags: ['--database-only'] })),
  ];
  for (const { mode, deployment, flags } of microRuns) {
    const child = spawnSync(
      process.execPath,
      ['--conditions=react-server', '--import', 'tsx', 'scripts/bench/micro.ts', ...(quick ? ['--quick'] : []), ...flags],
      {
        env: { ...process.env, ...sharedEnv, DATABASE_URL: deployment.databaseUrl, ACCESS_TOKEN_CHECK: mode },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    if (child.status !== 0) throw new Error(`micro-benchmarks (${mode}, ${deployment.label}) failed`);
    micro.push(JSON.parse(child.stdout.trim().split('\n').at(-1)!) as MicroReport);
  }

  // Summaries: medians over rounds, ratios taken within each round on the same deployment.
  const perRound = (db: DatabaseName, id: string, pick: (r: Measured) => number) => rounds.map((r) => pick(r[db]![id]));
  const ratioPerRound = (db: DatabaseName, id: string, baseId: string, pick: (r: Measured) => number = (r) => r.requestsPerSecond) =>
    rounds.map((r) => pick(r[db]![id]) / pick(r[db]![baseId]));
  const both = targets.length > 1;
  const summaries: ScenarioSummary[] = all.map((s) => ({
    id: s.id,
    short: s.short,
    label: s.label,
    mode: s.mode(targets[0]),
    touchesDatabase: s.touchesDatabase,
    results: Object.fromEntries(
      targets.map(({ deployment: { name } }): [DatabaseName, ScenarioResult] => [
        name,
        {
          requestsPerSecond: spread(perRound(name, s.id, (r) => r.requestsPerSecond)),
          p50: spread(perRound(name, s.id, (r) => r.p50)),
          p99: spread(perRound(name, s.id, (r) => r.p99)),
          errors: perRound(name, s.id, (r) => r.errors).reduce((a, b) => a + b, 0),
          ratio: spread(ratioPerRound(name, s.id, 'health')),
          cpuMicrosecondsPerRequest: spread(perRound(name, s.id, (r) => r.cpuMicrosecondsPerRequest)),
          ...(rounds[0][name]![s.id].databaseCpuMicrosecondsPerRequest === null
            ? {}
            : { databaseCpuMicrosecondsPerRequest: spread(perRound(name, s.id, (r) => r.databaseCpuMicrosecondsPerRequest ?? NaN)) }),
        },
      ]),
    ),
    ...(both && s.touchesDatabase
      ? { postgresqlOverSqlite: spread(rounds.map((r) => r.postgresql![s.id].requestsPerSecond / r.sqlite![s.id].requestsPerSecond)) }
      : {}),
  }));

  const verdict = (ok: boolean): TargetStatus => (ok ? 'met' : 'missed');
  /** How many rounds met a threshold on their own: a median near a threshold on a busy machine says little alone. */
  const roundsMeeting = (values: number[], ok: (v: number) => boolean) => `; ${values.filter(ok).length} of ${values.length} rounds`;
  const fmt = (s: Spread, digits = 2) => formatSpread(s, digits);
  /** One target judged on each deployment; none when a scenario it `needs` was left out (--scenarios). */
  const judged = (target: string, needs: string[], judge: (t: Target) => { measured: string; status: TargetStatus }): TargetVerdict[] =>
    needs.every((id) => all.some((s) => s.id === id))
      ? [{ target, results: Object.fromEntries(targets.map((t) => [t.deployment.name, judge(t)])) }]
      : [];
  const result = (t: Target, id: string) => summaries.find((s) => s.id === id)!.results[t.deployment.name]!;
  const chainTotals = (t: Target) =>
    rounds.reduce(
      (sum, r) => ({ rotations: sum.rotations + r[t.deployment.name]!.refresh.chains!.rotations, notRotated: sum.notRotated + r[t.deployment.name]!.refresh.chains!.notRotated }),
      { rotations: 0, notRotated: 0 },
    );
  const serverPeaks = (t: Target) => [t.stateless, t.revocation].map((s) => peaks.get(s.name)!);
  const targetVerdicts: TargetVerdict[] = [
    judged('GET /api/me at least 0.95x the baseline', ['me'], (t) => {
      const ratios = ratioPerRound(t.deployment.name, 'me', 'health');
      return { measured: `${fmt(result(t, 'me').ratio)}x${roundsMeeting(ratios, (v) => v >= 0.95)}`, status: verdict(result(t, 'me').ratio.median >= 0.95) };
    }),
    judged('a proxied page: verifying the token costs at most 5% (/probe/signed-in vs /probe/public, both with the CSP)', ['proxy-verify', 'proxy-public', 'pass-through'], (t) => {
      const ratios = ratioPerRound(t.deployment.name, 'proxy-verify', 'proxy-public');
      const proxyVerify = spread(ratios);
      const pageWork = spread(ratioPerRound(t.deployment.name, 'proxy-verify', 'pass-through'));
      return {
        measured: `${fmt(proxyVerify)}x${roundsMeeting(ratios, (v) => v >= 0.95)} (token and CSP together vs the do-nothing proxy: ${fmt(pageWork)}x)`,
        status: verdict(proxyVerify.median >= 0.95),
      };
    }),
    judged('revocation-list keeps at least 0.9x of stateless on /api/me and /dashboard', ['me', 'me-revocation', 'dashboard', 'dashboard-revocation'], (t) => {
      const me = spread(ratioPerRound(t.deployment.name, 'me-revocation', 'me'));
      const dashboard = spread(ratioPerRound(t.deployment.name, 'dashboard-revocation', 'dashboard'));
      return {
        measured: `/api/me ${fmt(me)}x, /dashboard ${fmt(dashboard)}x${t.revocationActive ? '' : ' (mode absent: stateless vs stateless)'}`,
        status: t.revocationActive ? verdict(me.median >= 0.9 && dashboard.median >= 0.9) : 'not measured',
      };
    }),
    judged(`${settings.connections} concurrent refresh chains: zero errors, zero false reuse detections`, ['refresh'], (t) => {
      const totals = chainTotals(t);
      const errors = result(t, 'refresh').errors;
      const reuse = falseReuse.get(t.deployment.name)!;
      return {
        measured: `${errors} errors, ${reuse} reuse detections, ${totals.rotations} rotations, ${totals.notRotated} answered without rotating`,
        status: verdict(errors === 0 && reuse === 0 && totals.notRotated === 0),
      };
    }),
    judged('refresh throughput at least 0.4x the baseline', ['refresh'], (t) => {
      const refresh = result(t, 'refresh');
      return { measured: `${fmt(refresh.ratio)}x${roundsMeeting(ratioPerRound(t.deployment.name, 'refresh', 'health'), (v) => v >= 0.4)}`, status: verdict(refresh.ratio.median >= 0.4) };
    }),
    judged('refresh p99 at most 5x the baseline p99', ['refresh'], (t) => {
      const refreshP99 = spread(ratioPerRound(t.deployment.name, 'refresh', 'health', (r) => r.p99));
      return { measured: `${fmt(refreshP99, 1)}x (${fmt(result(t, 'refresh').p99, 0)} ms)`, status: verdict(refreshP99.median <= 5) };
    }),
    judged(`peak server RSS under 450 MB with ${settings.heap}`, [], (t) => {
      const maxPeak = Math.max(...serverPeaks(t).flat());
      return { measured: `${Math.round(maxPeak / 1024 / 1024)} MB`, status: verdict(maxPeak < 450 * 1024 * 1024) };
    }),
    judged('no memory growth from round to round (last round peak within 10% of the second; the first fills the heap)', [], (t) => {
      // The first round is where the heap fills up to its working size (V8 collects lazily up to the
      // --max-old-space-size limit); growth is judged from the second round on.
      const growth = serverPeaks(t).map((p) => p.at(-1)! / p[Math.min(1, p.length - 1)]);
      return {
        measured: growth.map((g, i) => `${['stateless', 'revocation-list'][i]} ${g.toFixed(2)}x`).join(', '),
        status: settings.rounds < 3 ? 'not measured' : verdict(growth.every((g) => g <= 1.1)),
      };
    }),
  ].flat();

  /** All the CPU a request caused on this machine: the app server's and, apart from it, PostgreSQL's. */
  const totalCpu = (r: Measured) => r.cpuMicrosecondsPerRequest + (r.databaseCpuMicrosecondsPerRequest ?? 0);
  const compared = (what: string, needs: string[], values: (name: DatabaseName) => number[]): Comparison[] =>
    needs.every((id) => all.some((s) => s.id === id))
      ? [{ what, results: Object.fromEntries(targets.map((t) => [t.deployment.name, spread(values(t.deployment.name))])) }]
      : [];
  const comparisons: Comparison[] = [
    compared('session-row lookup against stateless: throughput of GET /api/me/active over GET /api/me', ['session-row', 'me'], (name) =>
      ratioPerRound(name, 'session-row', 'me'),
    ),
    compared('the same in CPU per request (app server + PostgreSQL): GET /api/me/active over GET /api/me', ['session-row', 'me'], (name) =>
      ratioPerRound(name, 'session-row', 'me', totalCpu),
    ),
    compared('rotation against stateless, CPU per request: POST /api/auth/refresh over GET /api/me', ['refresh', 'me'], (name) =>
      ratioPerRound(name, 'refresh', 'me', totalCpu),
    ),
  ].flat();

  const report: BenchReport = {
    startedAt,
    machine,
    durationSeconds: (Date.now() - startedAt.getTime()) / 1000,
    settings,
    deployments: descriptions,
    scenarios: summaries,
    signIn: Object.fromEntries([...signIns].map(([name, values]) => [name, spread(values)])),
    memory: [...peaks].map(([server, peaksByRound]) => ({ server, peaksByRound })),
    micro,
    targets: targetVerdicts,
    comparisons,
    notes,
  };
  console.log(terminalTables(report));
  if (onlyScenarios) {
    console.log(`Only ${[...onlyScenarios].join(', ')}: nothing written.`);
  } else if (quick) {
    console.log('Quick mode: tiny load, so the ratios mean little; nothing written. Checked: every answer correct on every deployment, nothing crashed.');
  } else {
    writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
    await writeDocs(report);
  }
  console.log(`Done in ${Math.round(report.durationSeconds)} s.`);

  const failures = targets.flatMap((t) => {
    const where = t.deployment.label;
    const totals = all.some((s) => s.id === 'refresh') ? chainTotals(t) : { notRotated: 0 };
    const reuse = falseReuse.get(t.deployment.name)!;
    return [
      ...summaries.filter((s) => s.results[t.deployment.name]!.errors > 0).map((s) => `${where}, ${s.label}: ${s.results[t.deployment.name]!.errors} error answers`),
      ...(reuse > 0 ? [`${where}: ${reuse} false reuse detections`] : []),
      ...(totals.notRotated > 0 ? [`${where}: ${totals.notRotated} refreshes answered without rotating (the pool of sessions ran out)`] : []),
    ];
  });
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
    await writeDocs({ ...saved, comparisons: saved.comparisons ?? [], startedAt: new Date(saved.startedAt) });
  } else {
    await main();
  }
  await cleanUp();
  // Everything is stopped; exit now rather than wait for a handle a library may keep open.
  process.exit(0);
} catch (error) {
  await cleanUp();
  console.error(`npm run bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
