/**
 * `npm run bench [-- --quick] [--database sqlite|postgresql|both] [--rounds N --duration S --connections N
 * --heap MB] [--scenarios id,...] [--profile id] [--render]` (options.ts says what each does).
 *
 * What each kind of session check costs on this machine, on SQLite and PostgreSQL side by side: one table
 * on the terminal and, except with --quick, docs/benchmarks.md, .json and .svg. It fails (exit 1) on any
 * error answer, false reuse detection or crash; targets are reported, never asserted. How it measures and
 * why: docs/decisions/0072-benchmark-method.md. Everything it started is stopped on the way out, also on
 * Ctrl-C. Run the full benchmark alone on the machine: `flock /tmp/e2e.lock npm run bench`.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bareAppIfNeeded } from './bare-app';
import { buildIfNeeded } from './build';
import { parseBenchOptions } from './options';
import { spread } from './stats';
import { failures, summarise, type Outcome } from './summary';
import { comparisons, judgeTargets } from './verdicts';
import { rotationAccounts } from './rotation-counts';
import type { BenchReport, DeploymentDescription } from './report';
import type { MicroReport } from './micro';
import type { Deployment } from './deployments';
import type { Scenario, Target } from './scenarios';

const ROOT = path.resolve(import.meta.dirname, '../..');
process.chdir(ROOT);
const options = parseBenchOptions();
const { settings, quick } = options;

// The benchmark process and the servers share one configuration: set it before any lib/ module reads
// it, so every module that reaches lib/ is imported below, not above. DATABASE_URL differs per
// deployment: it is set once the databases exist (main).
const workdir = mkdtempSync(path.join(tmpdir(), 'bench-'));
const sharedEnv = {
  ACCESS_TOKEN_KEYS: `bench:${randomBytes(32).toString('base64url')}`,
  HOUSEKEEPING_INTERVAL_SECONDS: '0', // no pruning in the middle of a measurement
};
Object.assign(process.env, sharedEnv);
const { stopAllServers } = await import('./server');
const { startDeployment } = await import('./deployments');
const { selectScenarios } = await import('./scenarios');
const { describeDeployment, revocationNotes, startTargets } = await import('./targets');
const { falseReuseDetections, measureRounds, warmUp } = await import('./rounds');
const { describeMachine, terminalTables } = await import('./report');
const { markdown, ratioChart } = await import('./report-document');

const log = (line: string) => process.stderr.write(`${line}\n`);
const RESULTS_FILE = 'docs/benchmarks.json';
/** Where a server writes its CPU profiles (--profile). */
const profileDir = (serverName: string) => path.join(workdir, `profile-${serverName.replace(/[^a-z0-9]+/gi, '-')}`);
const deployments: Deployment[] = [];

async function main() {
  const startedAt = new Date();
  buildIfNeeded(log);
  const bareAppDir = bareAppIfNeeded(ROOT, log);
  await startDeployments();
  log(`Starting the bare Next.js app (the baseline) and two next start servers per deployment (stateless, and ACCESS_TOKEN_CHECK=revocation-list): ${deployments.map((d) => d.label).join(', ')}`);
  const setup = { sharedEnv, heap: settings.heap, profileDir: options.profileScenario !== undefined ? profileDir : null, bareAppDir };
  const targets = await startTargets(deployments, setup, log);
  const notes = revocationNotes(targets);
  const scenarios = selectScenarios(settings.connections, options.onlyScenarios);
  if (options.profileScenario) return profile(options.profileScenario, scenarios, targets);

  const input = { scenarios, targets, settings, quick, log };
  if (!quick) await warmUp(input); // --quick skips it: its one short round checks every answer anyway
  const measurements = await measureRounds(input);
  const falseReuse = await falseReuseDetections(targets, measurements.reuseSince);
  const outcome: Outcome = { ...measurements, scenarios, targets, settings, falseReuse };
  const descriptions: DeploymentDescription[] = [];
  for (const target of targets) descriptions.push(await describeDeployment(target));
  const machine = describeMachine();
  await stopAllServers();
  const micro = runMicroBenchmarks();
  const report = assembleReport(outcome, { startedAt, machine, deployments: descriptions, micro, notes });
  await publish(report);
  const problems = failures(outcome, report.scenarios);
  if (problems.length) throw new Error(problems.join('; '));
}

/** The report from what the rounds measured: summaries, verdicts and comparisons, plus what was read around them. */
function assembleReport(
  outcome: Outcome,
  read: Pick<BenchReport, 'startedAt' | 'machine' | 'deployments' | 'micro' | 'notes'>,
): BenchReport {
  const summaries = summarise(outcome);
  return {
    startedAt: read.startedAt,
    machine: read.machine,
    durationSeconds: (Date.now() - read.startedAt.getTime()) / 1000,
    settings,
    deployments: read.deployments,
    scenarios: summaries,
    signIn: Object.fromEntries([...outcome.signIns].map(([name, values]) => [name, spread(values)])),
    memory: [...outcome.peaks].map(([server, peaksByRound]) => ({ server, peaksByRound })),
    micro: read.micro,
    targets: judgeTargets(outcome, summaries),
    comparisons: comparisons(outcome),
    rotation: rotationAccounts(outcome.rounds, outcome.targets.map((t) => t.deployment.name)),
    notes: read.notes,
  };
}

/** A temporary database per deployment, migrated; kept in `deployments` as it starts, for cleanUp. */
async function startDeployments(): Promise<void> {
  for (const name of options.databaseNames) {
    log(`${name}: a temporary database, migrating it`);
    deployments.push(await startDeployment(name));
  }
  // The configuration wants a DATABASE_URL; each deployment's client and servers get their own.
  process.env.DATABASE_URL = deployments[0].databaseUrl;
}

async function profile(id: string, scenarios: Scenario[], targets: Target[]): Promise<void> {
  const scenario = scenarios.find((s) => s.id === id);
  if (!scenario) throw new Error(`--profile: no scenario "${id}" (${scenarios.map((s) => s.id).join(', ')})`);
  const { runProfile } = await import('./profile');
  await runProfile(scenario, { targets, settings, log }, profileDir);
}

/**
 * micro.ts in a child process per check mode on the first deployment, and its session-row lookup alone
 * on each further one. None with --scenarios.
 */
function runMicroBenchmarks(): MicroReport[] {
  if (options.onlyScenarios) return [];
  log('Micro-benchmarks (in process)');
  const runs = [
    ...['stateless', 'revocation-list'].map((mode) => ({ mode, deployment: deployments[0], flags: [] as string[] })),
    ...deployments.slice(1).map((deployment) => ({ mode: 'stateless', deployment, flags: ['--database-only'] })),
  ];
  return runs.map(({ mode, deployment, flags }) => {
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
    return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as MicroReport;
  });
}

/** The table on the terminal and, for a full run, the results and documents. */
async function publish(report: BenchReport): Promise<void> {
  console.log(terminalTables(report));
  if (options.onlyScenarios) {
    console.log(`Only ${[...options.onlyScenarios].join(', ')}: nothing written.`);
  } else if (quick) {
    console.log('Quick mode: tiny load, so the ratios mean little; nothing written. Checked: every answer correct on every deployment, nothing crashed.');
  } else {
    writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
    await writeDocs(report);
  }
  console.log(`Done in ${Math.round(report.durationSeconds)} s.`);
}

/** docs/benchmarks.md (results, then scripts/bench/analysis.md) and docs/benchmarks.svg. */
async function writeDocs(report: BenchReport) {
  const analysis = readFileSync('scripts/bench/analysis.md', 'utf8');
  writeFileSync('docs/benchmarks.md', markdown(report, analysis));
  writeFileSync('docs/benchmarks.svg', await ratioChart(report));
  console.log(`Wrote docs/benchmarks.md and docs/benchmarks.svg (results kept in ${RESULTS_FILE})`);
}

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

try {
  if (options.render) {
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
