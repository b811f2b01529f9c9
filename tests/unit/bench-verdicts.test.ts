/**
 * The benchmark's arithmetic (scripts/bench/summary.ts, verdicts.ts): every ratio is taken within a round
 * against the bare Next.js app measured beside the same deployment, routes against its route handler and
 * pages against its dynamic page, and each target says met or missed from the median of the rounds.
 * Made-up rounds, no servers: what a reader of the report would be told for known figures.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { summarise, type Outcome } from '../../scripts/bench/summary';
import { judgeTargets } from '../../scripts/bench/verdicts';
import type { Round } from '../../scripts/bench/rounds';
import type { Measured, Scenario, Target } from '../../scripts/bench/scenarios';

/** A scenario's result in one round: throughput and p99, the rest ordinary. */
const measured = (requestsPerSecond: number, p99 = 20, extra: Partial<Measured> = {}): Measured => ({
  requestsPerSecond,
  p50: p99 / 2,
  p99,
  errors: 0,
  requests: requestsPerSecond * 2,
  cpuMicrosecondsPerRequest: 1e6 / requestsPerSecond,
  databaseCpuMicrosecondsPerRequest: null,
  ...extra,
});

type Figures = Record<string, number | [number, number]>;

/** Ordinary figures: every target met, the bare route at 1,000 req/s and a 10 ms p99, the bare page at 400. */
const ORDINARY: Figures = {
  'bare-route': [1000, 10],
  'bare-page': 400,
  health: 980,
  me: 920,
  'public-page': 320,
  dashboard: 260,
  payments: 250,
  'me-revocation': 900,
  'dashboard-revocation': 255,
  refresh: [450, 40],
};

function round(figures: Figures): Round {
  const results = Object.fromEntries(
    Object.entries(figures).map(([id, f]) => {
      const [rps, p99] = Array.isArray(f) ? f : [f, 20];
      return [id, measured(rps, p99, id === 'refresh' ? { chains: { rotations: 900, notRotated: 0, chainsStarted: 900, poolExhausted: false } } : {})];
    }),
  );
  return { sqlite: results };
}

/** An outcome of the given rounds on one SQLite deployment, every scenario of the rounds run. */
function outcome(rounds: Figures[], { revocationActive = true } = {}): Outcome {
  const server = (name: string) => ({ name }) as Target['stateless'];
  const target = {
    deployment: { name: 'sqlite', label: 'SQLite (file)' },
    stateless: server('sqlite stateless'),
    revocation: server('sqlite revocation-list'),
    revocationActive,
  } as unknown as Target;
  const ids = Object.keys(rounds[0]);
  return {
    rounds: rounds.map(round),
    peaks: new Map([
      ['sqlite stateless', rounds.map(() => 300 * 1024 * 1024)],
      ['sqlite revocation-list', rounds.map(() => 300 * 1024 * 1024)],
    ]),
    signIns: new Map(),
    reuseSince: new Date(0),
    scenarios: ids.map((id) => ({ id, short: id, label: id, mode: () => '', touchesDatabase: false }) as unknown as Scenario),
    targets: [target],
    settings: { rounds: rounds.length, durationSeconds: 2, connections: 50, heap: '--max-old-space-size=256' },
    falseReuse: new Map([['sqlite', 0]]),
  };
}

function verdicts(o: Outcome): Map<string, { measured: string; status: string }> {
  return new Map(judgeTargets(o, summarise(o)).map((v) => [v.target, v.results.sqlite!]));
}

/** The verdict of the one target whose text starts with `start`. */
function verdict(o: Outcome, start: string) {
  const found = [...verdicts(o)].filter(([target]) => target.startsWith(start));
  assert.equal(found.length, 1, `one target starting "${start}"`);
  return found[0][1];
}

const three = (...changes: Figures[]) => changes.map((c) => ({ ...ORDINARY, ...c }));

describe('ratios in the report', () => {
  test('each scenario over the bare route of the same round, the median of the rounds with their range', () => {
    const o = outcome(three({ 'bare-route': [1000, 10], health: 900 }, { 'bare-route': [500, 10], health: 480 }, { 'bare-route': [800, 10], health: 760 }));
    const health = summarise(o).find((s) => s.id === 'health')!.results.sqlite!;
    assert.deepEqual(health.ratio, { median: 0.95, min: 0.9, max: 0.96, n: 3 });
    // A slow round for both (the second) moves the ratio little, the throughput a lot.
    assert.deepEqual(health.requestsPerSecond, { median: 760, min: 480, max: 900, n: 3 });
    const bare = summarise(o).find((s) => s.id === 'bare-route')!.results.sqlite!;
    assert.deepEqual(bare.ratio, { median: 1, min: 1, max: 1, n: 3 });
  });
});

describe('targets against the bare app', () => {
  test('ordinary figures meet every target', () => {
    for (const [target, v] of verdicts(outcome(three({}, {}, {})))) {
      assert.notEqual(v.status, 'missed', `${target}: ${v.measured}`);
    }
  });

  test('GET /api/health: met at a median of 0.97x the bare route, missed just below, with the rounds that met it', () => {
    const met = verdict(outcome(three({ health: 960 }, { health: 970 }, { health: 990 })), 'GET /api/health');
    assert.equal(met.status, 'met');
    assert.equal(met.measured, '0.97 (0.96-0.99)x; 2 of 3 rounds');
    const missed = verdict(outcome(three({ health: 960 }, { health: 965 }, { health: 990 })), 'GET /api/health');
    assert.equal(missed.status, 'missed');
  });

  test('GET /api/me: 0.9x the bare route', () => {
    assert.equal(verdict(outcome(three({ me: 900 }, { me: 900 }, { me: 900 })), 'GET /api/me').status, 'met');
    assert.equal(verdict(outcome(three({ me: 890 }, { me: 890 }, { me: 950 })), 'GET /api/me').status, 'missed');
  });

  test('a public page is judged against the bare dynamic page, not the bare route', () => {
    // 800 req/s is 0.8x the bare route (met, if that were the floor) but only 0.67x a bare page serving 1,200.
    const page = { 'bare-page': 1200, 'public-page': 800 };
    const v = verdict(outcome(three(page, page, page)), 'a public page');
    assert.equal(v.status, 'missed');
    assert.match(v.measured, /^0\.67 /);
    const cheaperPage = { 'bare-page': 1000, 'public-page': 800 };
    assert.equal(verdict(outcome(three(cheaperPage, cheaperPage, cheaperPage)), 'a public page').status, 'met');
  });

  test('/dashboard and /payments: missed when either one is under 0.6x the bare page', () => {
    const slowPayments = { payments: 200 }; // 0.5x the bare page of 400
    const v = verdict(outcome(three(slowPayments, slowPayments, slowPayments)), '/dashboard and /payments');
    assert.equal(v.status, 'missed');
    assert.match(v.measured, /^\/dashboard 0\.65 .*\/payments 0\.50 /);
  });

  test('revocation-list: against stateless on the same route, 0.95x on both; not measured when the mode is absent', () => {
    const slowPage = { 'dashboard-revocation': 240 }; // 240 / 260 = 0.92
    assert.equal(verdict(outcome(three(slowPage, slowPage, slowPage)), 'revocation-list').status, 'missed');
    assert.equal(verdict(outcome(three({}, {}, {})), 'revocation-list').status, 'met');
    assert.equal(verdict(outcome(three({}, {}, {}), { revocationActive: false }), 'revocation-list').status, 'not measured');
  });

  test('refresh chains: throughput over the bare route, p99 over the bare route\'s p99', () => {
    const fast = verdict(outcome(three({}, {}, {})), 'refresh throughput');
    assert.equal(fast.status, 'met');
    assert.match(fast.measured, /^0\.45 /);
    const slowTail = { refresh: [450, 60] as [number, number] }; // 6x the bare route's 10 ms
    const p99 = verdict(outcome(three(slowTail, slowTail, slowTail)), 'refresh p99');
    assert.equal(p99.status, 'missed');
    assert.match(p99.measured, /^6\.0 \(6\.0-6\.0\)x \(60 \(60-60\) ms\)/);
    const slow = { refresh: 390 };
    assert.equal(verdict(outcome(three(slow, slow, slow)), 'refresh throughput').status, 'missed');
  });

  test('a target whose scenario did not run (--scenarios) is left out, not judged', () => {
    const { payments: _, ...withoutPayments } = ORDINARY;
    const targets = [...verdicts(outcome([withoutPayments, withoutPayments, withoutPayments]))].map(([t]) => t);
    assert.equal(targets.some((t) => t.startsWith('/dashboard and /payments')), false);
    assert.equal(targets.some((t) => t.startsWith('GET /api/health')), true);
  });
});
