/**
 * The measuring itself: a warm-up, then interleaved rounds. Each round rotates the order of the
 * scenarios and runs each on every deployment back to back (which goes first alternates), so a burst
 * of other work on the machine hits both alike, each window after a second of the same load; it
 * reads the servers' peak memory each round.
 */
import { BASELINE } from './bare-app';
import * as fixtures from './fixtures';
import { measure, ROTATIONS_PER_CHAIN, type Measured, type Scenario, type Target } from './scenarios';
import type { DatabaseName } from './deployments';
import type { Settings } from './options';

export type RoundsInput = {
  scenarios: Scenario[];
  targets: Target[];
  settings: Settings;
  quick: boolean;
  log: (line: string) => void;
};

/** One round's results: per deployment, per scenario id. */
export type Round = Partial<Record<DatabaseName, Record<string, Measured>>>;

export type Measurements = {
  rounds: Round[];
  /** Per server name, its peak RSS in each round. */
  peaks: Map<string, number[]>;
  /** Per deployment, sign-in times in ms. */
  signIns: Map<DatabaseName, number[]>;
  /** When the rounds began: reuse detections since then are false ones. */
  reuseSince: Date;
};

/**
 * Sign-ins timed per deployment over a run: four a round for six rounds. The account may sign in 30
 * times in 15 minutes (SIGNIN_ACCOUNT_MAX_SUCCESSES), so `--rounds 8` would otherwise end in a 429.
 */
const MAX_TIMED_SIGN_INS = 24;

export const refreshPool = (target: Target, count: number) => target.deployment.use(() => fixtures.refreshTokenPool(target.userId, count));

/** Every path answers correctly, and each server has run every route once under load. */
export async function warmUp({ scenarios, targets, settings, log }: RoundsInput): Promise<void> {
  for (const scenario of scenarios) {
    for (const target of targets) {
      if (scenario.id === 'refresh') target.refreshPool = await refreshPool(target, settings.connections * 4);
      const warm = await scenario.run(target, { connections: settings.connections, durationSeconds: 1, showProgress: false });
      if (warm.errors > 0) throw new Error(`warm-up: ${target.deployment.label}, ${scenario.label} answered ${warm.errors} errors`);
      if (scenario.id === BASELINE) target.baselineRps = warm.requestsPerSecond;
    }
  }
  log(`Warm-up done (the bare route about ${targets.map((t) => `${Math.round(t.baselineRps)} req/s on ${t.deployment.label}`).join(', ')})`);
}

export async function measureRounds(input: RoundsInput): Promise<Measurements> {
  const { targets, settings, quick } = input;
  const servers = targets.flatMap((t) => [t.stateless, t.revocation]);
  const measurements: Measurements = {
    rounds: [],
    peaks: new Map(servers.map((s) => [s.name, [] as number[]])),
    signIns: new Map(targets.map((t) => [t.deployment.name, [] as number[]])),
    reuseSince: new Date(),
  };
  for (let round = 0; round < settings.rounds; round++) {
    await fillRefreshPools(targets, settings);
    await freshCookies(targets);
    servers.forEach((s) => s.resetPeak());
    measurements.rounds.push(await measureRound(round, input));
    for (const target of targets) {
      const signIns = measurements.signIns.get(target.deployment.name)!;
      for (let i = 0; i < (quick ? 1 : 4) && signIns.length < MAX_TIMED_SIGN_INS; i++) signIns.push(await fixtures.timedSignIn(target.stateless.url));
    }
    for (const server of servers) measurements.peaks.get(server.name)!.push(server.peakRss());
  }
  return measurements;
}

/**
 * A fresh access token per round: one signed at the start would expire (ACCESS_TOKEN_TTL_SECONDS, five
 * minutes by default) in the middle of a run on a busy machine, and every signed-in request after that
 * would count as an error.
 */
async function freshCookies(targets: Target[]): Promise<void> {
  for (const target of targets) target.cookie = (await target.deployment.use(() => fixtures.signedInCookie(target.userId))).cookie;
}

/** Enough fresh sessions for the refresh chains even at the baseline's rate, made before the clock runs. */
async function fillRefreshPools(targets: Target[], settings: Settings): Promise<void> {
  for (const target of targets) {
    const needed = Math.ceil(((Math.max(target.baselineRps, 500) * settings.durationSeconds) / ROTATIONS_PER_CHAIN) * 1.5) + settings.connections;
    target.refreshPool = await refreshPool(target, needed);
  }
}

/** Every scenario once on every deployment, in this round's order. */
async function measureRound(round: number, { scenarios, targets, settings, quick, log }: RoundsInput): Promise<Round> {
  const results: Round = Object.fromEntries(targets.map((t) => [t.deployment.name, {}]));
  const order = scenarios.map((_, i) => scenarios[(i + round) % scenarios.length]);
  for (const [index, scenario] of order.entries()) {
    // Every deployment back to back, the first one alternating, so both meet the same noise.
    const turn = (round + index) % 2 === 0 ? targets : [...targets].reverse();
    for (const target of turn) {
      const mode = scenario.mode(target);
      log(`round ${round + 1}/${settings.rounds} [${index + 1}/${order.length}] ${target.deployment.label}: ${scenario.label}${mode ? ` (${mode})` : ''}`);
      // A second of the same load first, unmeasured: the first window a server sees after other work
      // (a page rendered, or a round idle) costs up to 1.5x, in whichever mode it falls to, and the
      // rotation keeps each scenario's neighbours, so without this the bias lands on the same rows
      // every round (measured: revocation-list /api/me 600-740 us "dearer" than stateless, then equal).
      if (!quick) await warmScenario(scenario, target, settings);
      const result = await measure(scenario, target, { ...settings, showProgress: !quick && process.stderr.isTTY });
      results[target.deployment.name]![scenario.id] = result;
      if (scenario.id === BASELINE) target.baselineRps = result.requestsPerSecond;
      log(describeResult(result));
    }
  }
  return results;
}

async function warmScenario(scenario: Scenario, target: Target, settings: Settings): Promise<void> {
  const warm = await scenario.run(target, { connections: settings.connections, durationSeconds: 1, showProgress: false });
  if (warm.errors > 0) throw new Error(`warm-up: ${target.deployment.label}, ${scenario.label} answered ${warm.errors} errors`);
}

function describeResult(result: Measured): string {
  const chains = result.chains ? `, ${result.chains.rotations} rotations, ${result.chains.notRotated} not rotated` : '';
  const databaseCpu = result.databaseCpuMicrosecondsPerRequest === null ? '' : ` + PostgreSQL ${Math.round(result.databaseCpuMicrosecondsPerRequest)} us/request`;
  return `  ${Math.round(result.requestsPerSecond)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, server CPU ${Math.round(result.cpuMicrosecondsPerRequest)} us/request${databaseCpu}, ${result.errors} errors${chains}`;
}

/** Per deployment, the reuse detections since the rounds began: every one is false. */
export async function falseReuseDetections(targets: Target[], since: Date): Promise<Map<DatabaseName, number>> {
  const falseReuse = new Map<DatabaseName, number>();
  for (const target of targets) falseReuse.set(target.deployment.name, await target.deployment.use(() => fixtures.reuseDetections(since)));
  return falseReuse;
}
