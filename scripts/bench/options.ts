/**
 * The benchmark's command line, read before any module of the app is loaded (run.ts sets the
 * environment those modules read first).
 */
import { parseArgs } from 'node:util';
import { BARE_PAGE_BASELINE, BASELINE } from './bare-app';
import type { DatabaseName } from './deployments';

/** The load every scenario gets, and the servers' heap limit. */
export type Settings = { rounds: number; durationSeconds: number; connections: number; heap: string };

export type BenchOptions = {
  /** `--quick`: checks answers, measures nothing (one short round, no warm-up, nothing written). */
  quick: boolean;
  /** `--render`: only the documents again, from the last full run's docs/benchmarks.json. */
  render: boolean;
  /** `--profile <scenario id>`: run only that scenario, with the V8 CPU profiler on in every server. */
  profileScenario: string | undefined;
  /**
   * `--scenarios health,refresh`: only these (the bare app's two are always added), e.g. to compare one route
   * before and after a change; the targets that need other scenarios, the micro-benchmarks and the
   * documents are left out.
   */
  onlyScenarios: Set<string> | null;
  /** `--database sqlite|postgresql|both` (default both). */
  databaseNames: DatabaseName[];
  settings: Settings;
};

const DATABASE_CHOICES: Record<string, DatabaseName[]> = { sqlite: ['sqlite'], postgresql: ['postgresql'], both: ['sqlite', 'postgresql'] };

/** The options from process.argv; exits with 2 on a `--database` it does not know. */
export function parseBenchOptions(): BenchOptions {
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
  const databaseNames = DATABASE_CHOICES[args.database!];
  if (!databaseNames) {
    console.error(`npm run bench: --database must be sqlite, postgresql or both (got ${JSON.stringify(args.database)})`);
    process.exit(2);
  }
  return {
    quick,
    render: args.render!,
    profileScenario: args.profile,
    onlyScenarios: args.scenarios ? new Set([BASELINE, BARE_PAGE_BASELINE, ...args.scenarios.split(',').map((id) => id.trim())]) : null,
    databaseNames,
    settings: {
      rounds: Number(args.rounds ?? (quick ? 1 : 6)),
      // --quick checks answers, it measures nothing: a second per scenario (autocannon's shortest: it
      // stops at its one-second tick) keeps both deployments together under a minute, server starts included.
      durationSeconds: Number(args.duration ?? (quick ? 1 : 2)),
      connections: Number(args.connections ?? (quick ? 4 : 50)),
      heap: `--max-old-space-size=${Number(args.heap)}`,
    },
  };
}
