/**
 * From rounds to the report's rows: medians over rounds, and ratios taken within each round on the same
 * deployment (a burst of other work on the machine moves a scenario and its baseline alike). The
 * baseline is the bare Next.js app's route handler, measured beside each deployment (bare-app.ts).
 */
import { BASELINE } from './bare-app';
import { spread } from './stats';
import type { DatabaseName } from './deployments';
import type { Settings } from './options';
import type { ScenarioResult, ScenarioSummary } from './report';
import type { Measurements, Round } from './rounds';
import type { Measured, Scenario, Target } from './scenarios';

/** Everything a run measured: what the summaries, the verdicts and the failure check read. */
export type Outcome = Measurements & {
  scenarios: Scenario[];
  targets: Target[];
  settings: Settings;
  falseReuse: Map<DatabaseName, number>;
};

const throughput = (r: Measured) => r.requestsPerSecond;

/** One figure of one scenario on one deployment, per round. */
export const perRound = (rounds: Round[], db: DatabaseName, id: string, pick: (r: Measured) => number) => rounds.map((r) => pick(r[db]![id]));

/** A scenario over another on the same deployment, per round (throughput unless `pick` says otherwise). */
export const ratioPerRound = (rounds: Round[], db: DatabaseName, id: string, baseId: string, pick: (r: Measured) => number = throughput) =>
  rounds.map((r) => pick(r[db]![id]) / pick(r[db]![baseId]));

/** Did the run include scenario `id` (--scenarios may leave it out)? */
export const ran = (outcome: Outcome, id: string) => outcome.scenarios.some((s) => s.id === id);

export function summarise({ scenarios, targets, rounds }: Outcome): ScenarioSummary[] {
  const both = targets.length > 1;
  return scenarios.map((s) => ({
    id: s.id,
    short: s.short,
    label: s.label,
    mode: s.mode(targets[0]),
    touchesDatabase: s.touchesDatabase,
    results: Object.fromEntries(targets.map(({ deployment: { name } }): [DatabaseName, ScenarioResult] => [name, scenarioResult(rounds, name, s.id)])),
    ...(both && s.touchesDatabase
      ? { postgresqlOverSqlite: spread(rounds.map((r) => r.postgresql![s.id].requestsPerSecond / r.sqlite![s.id].requestsPerSecond)) }
      : {}),
  }));
}

function scenarioResult(rounds: Round[], name: DatabaseName, id: string): ScenarioResult {
  return {
    requestsPerSecond: spread(perRound(rounds, name, id, (r) => r.requestsPerSecond)),
    p50: spread(perRound(rounds, name, id, (r) => r.p50)),
    p99: spread(perRound(rounds, name, id, (r) => r.p99)),
    errors: perRound(rounds, name, id, (r) => r.errors).reduce((a, b) => a + b, 0),
    ratio: spread(ratioPerRound(rounds, name, id, BASELINE)),
    cpuMicrosecondsPerRequest: spread(perRound(rounds, name, id, (r) => r.cpuMicrosecondsPerRequest)),
    ...(rounds[0][name]![id].databaseCpuMicrosecondsPerRequest === null
      ? {}
      : { databaseCpuMicrosecondsPerRequest: spread(perRound(rounds, name, id, (r) => r.databaseCpuMicrosecondsPerRequest ?? NaN)) }),
  };
}

/** The refresh chains' rotations, and refreshes answered without rotating, over every round. */
export function chainTotals(rounds: Round[], name: DatabaseName): { rotations: number; notRotated: number } {
  return rounds.reduce(
    (sum, r) => ({ rotations: sum.rotations + r[name]!.refresh.chains!.rotations, notRotated: sum.notRotated + r[name]!.refresh.chains!.notRotated }),
    { rotations: 0, notRotated: 0 },
  );
}

/** What fails the run: any error answer, any false reuse detection, a refresh pool that ran out. */
export function failures(outcome: Outcome, summaries: ScenarioSummary[]): string[] {
  return outcome.targets.flatMap((t) => {
    const where = t.deployment.label;
    const totals = ran(outcome, 'refresh') ? chainTotals(outcome.rounds, t.deployment.name) : { notRotated: 0 };
    const reuse = outcome.falseReuse.get(t.deployment.name)!;
    return [
      ...summaries.filter((s) => s.results[t.deployment.name]!.errors > 0).map((s) => `${where}, ${s.label}: ${s.results[t.deployment.name]!.errors} error answers`),
      ...(reuse > 0 ? [`${where}: ${reuse} false reuse detections`] : []),
      ...(totals.notRotated > 0 ? [`${where}: ${totals.notRotated} refreshes answered without rotating (the pool of sessions ran out)`] : []),
    ];
  });
}
