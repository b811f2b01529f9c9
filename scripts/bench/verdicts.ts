/**
 * The benchmark's targets, each judged on each deployment (met, missed, or not measured) against the
 * bare Next.js app measured beside it (its route handler; for pages, its dynamic page), and the
 * comparisons it reports without a target. Targets are reported, never asserted: a noisy machine
 * cannot fail the run (summary.ts `failures` is what can).
 */
import { BARE_PAGE_BASELINE, BASELINE } from './bare-app';
import { formatSpread, spread, type Spread } from './stats';
import { chainTotals, ran, ratioPerRound, type Outcome } from './summary';
import type { DatabaseName } from './deployments';
import type { Settings } from './options';
import type { Comparison, ScenarioResult, ScenarioSummary, TargetStatus, TargetVerdict } from './report';
import type { Measured, Target } from './scenarios';

type Judgement = { measured: string; status: TargetStatus };

/** What a target's judge may ask about one deployment. */
type Facts = {
  /** A scenario over another on this deployment, per round. */
  ratios(id: string, baseId: string, pick?: (r: Measured) => number): number[];
  result(id: string): ScenarioResult;
  /** Per server (stateless, revocation-list), its peak RSS in each round. */
  peaks(): number[][];
  chains(): { rotations: number; notRotated: number };
  falseReuse(): number;
};

const verdict = (ok: boolean): TargetStatus => (ok ? 'met' : 'missed');
/** How many rounds met a threshold on their own: a median near a threshold on a busy machine says little alone. */
const roundsMeeting = (values: number[], ok: (v: number) => boolean) => `; ${values.filter(ok).length} of ${values.length} rounds`;
const fmt = (s: Spread, digits = 2) => formatSpread(s, digits);

/** A target: its text, the scenarios it needs (none judged when --scenarios left one out), its judge. */
type TargetDefinition = { target: string; needs: string[]; judge: (t: Target, f: Facts) => Judgement };

export function judgeTargets(outcome: Outcome, summaries: ScenarioSummary[]): TargetVerdict[] {
  const facts = (t: Target): Facts => ({
    ratios: (id, baseId, pick) => ratioPerRound(outcome.rounds, t.deployment.name, id, baseId, pick),
    result: (id) => summaries.find((s) => s.id === id)!.results[t.deployment.name]!,
    peaks: () => [t.stateless, t.revocation].map((s) => outcome.peaks.get(s.name)!),
    chains: () => chainTotals(outcome.rounds, t.deployment.name),
    falseReuse: () => outcome.falseReuse.get(t.deployment.name)!,
  });
  return targets(outcome.settings)
    .filter(({ needs }) => needs.every((id) => ran(outcome, id)))
    .map(({ target, judge }) => ({ target, results: Object.fromEntries(outcome.targets.map((t) => [t.deployment.name, judge(t, facts(t))])) }));
}

/** `id` over `baseId` per round, its median and how many rounds met `threshold` alone; met when the median does. */
function atLeast(f: Facts, id: string, baseId: string, threshold: number): Judgement {
  const ratios = f.ratios(id, baseId);
  const s = spread(ratios);
  return { measured: `${fmt(s)}x${roundsMeeting(ratios, (v) => v >= threshold)}`, status: verdict(s.median >= threshold) };
}

/** Several ratio targets judged as one: met only when each is. */
function allOf(parts: { name: string; judgement: Judgement }[]): Judgement {
  return {
    measured: parts.map((p) => `${p.name} ${p.judgement.measured}`).join('; '),
    status: verdict(parts.every((p) => p.judgement.status === 'met')),
  };
}

function targets(settings: Settings): TargetDefinition[] {
  return [
    {
      target: 'GET /api/health at least 0.97x the bare route (this app\'s fixed cost per request)',
      needs: ['health'],
      judge: (t, f) => atLeast(f, 'health', BASELINE, 0.97),
    },
    {
      target: 'GET /api/me at least 0.9x the bare route',
      needs: ['me'],
      judge: (t, f) => atLeast(f, 'me', BASELINE, 0.9),
    },
    {
      target: 'a public page (GET /login) at least 0.75x the bare dynamic page',
      needs: ['public-page'],
      judge: (t, f) => atLeast(f, 'public-page', BARE_PAGE_BASELINE, 0.75),
    },
    {
      target: '/dashboard and /payments each at least 0.6x the bare dynamic page',
      needs: ['dashboard', 'payments'],
      judge: (t, f) =>
        allOf([
          { name: '/dashboard', judgement: atLeast(f, 'dashboard', BARE_PAGE_BASELINE, 0.6) },
          { name: '/payments', judgement: atLeast(f, 'payments', BARE_PAGE_BASELINE, 0.6) },
        ]),
    },
    {
      target: 'a proxied page: verifying the token costs at most 5% (/probe/signed-in vs /probe/public, both with the CSP)',
      needs: ['proxy-verify', 'proxy-public', 'pass-through'],
      judge: (t, f) => {
        const ratios = f.ratios('proxy-verify', 'proxy-public');
        const proxyVerify = spread(ratios);
        const pageWork = spread(f.ratios('proxy-verify', 'pass-through'));
        return {
          measured: `${fmt(proxyVerify)}x${roundsMeeting(ratios, (v) => v >= 0.95)} (token and CSP together vs the do-nothing proxy: ${fmt(pageWork)}x)`,
          status: verdict(proxyVerify.median >= 0.95),
        };
      },
    },
    {
      target: 'revocation-list keeps at least 0.95x of stateless on /api/me and on a page (/dashboard)',
      needs: ['me', 'me-revocation', 'dashboard', 'dashboard-revocation'],
      judge: (t, f) => {
        const both = allOf([
          { name: '/api/me', judgement: atLeast(f, 'me-revocation', 'me', 0.95) },
          { name: '/dashboard', judgement: atLeast(f, 'dashboard-revocation', 'dashboard', 0.95) },
        ]);
        if (t.revocationActive) return both;
        return { measured: `${both.measured} (mode absent: stateless vs stateless)`, status: 'not measured' };
      },
    },
    {
      target: `${settings.connections} concurrent refresh chains: zero errors, zero false reuse detections`,
      needs: ['refresh'],
      judge: (t, f) => {
        const totals = f.chains();
        const errors = f.result('refresh').errors;
        const reuse = f.falseReuse();
        return {
          measured: `${errors} errors, ${reuse} reuse detections, ${totals.rotations} rotations, ${totals.notRotated} answered without rotating`,
          status: verdict(errors === 0 && reuse === 0 && totals.notRotated === 0),
        };
      },
    },
    {
      target: 'refresh throughput at least 0.4x the bare route',
      needs: ['refresh'],
      judge: (t, f) => atLeast(f, 'refresh', BASELINE, 0.4),
    },
    {
      target: 'refresh p99 at most 5x the bare route\'s p99',
      needs: ['refresh'],
      judge: (t, f) => {
        const refreshP99 = spread(f.ratios('refresh', BASELINE, (r) => r.p99));
        return { measured: `${fmt(refreshP99, 1)}x (${fmt(f.result('refresh').p99, 0)} ms)`, status: verdict(refreshP99.median <= 5) };
      },
    },
    {
      target: `peak server RSS under 450 MB with ${settings.heap}`,
      needs: [],
      judge: (t, f) => {
        const maxPeak = Math.max(...f.peaks().flat());
        return { measured: `${Math.round(maxPeak / 1024 / 1024)} MB`, status: verdict(maxPeak < 450 * 1024 * 1024) };
      },
    },
    {
      target: 'no memory growth from round to round (last round peak within 10% of the second; the first fills the heap)',
      needs: [],
      judge: (t, f) => {
        // The first round is where the heap fills up to its working size (V8 collects lazily up to the
        // --max-old-space-size limit); growth is judged from the second round on.
        const growth = f.peaks().map((p) => p.at(-1)! / p[Math.min(1, p.length - 1)]);
        return {
          measured: growth.map((g, i) => `${['stateless', 'revocation-list'][i]} ${g.toFixed(2)}x`).join(', '),
          status: settings.rounds < 3 ? 'not measured' : verdict(growth.every((g) => g <= 1.1)),
        };
      },
    },
  ];
}

/** All the CPU a request caused on this machine: the app server's and, apart from it, PostgreSQL's. */
const totalCpu = (r: Measured) => r.cpuMicrosecondsPerRequest + (r.databaseCpuMicrosecondsPerRequest ?? 0);

export function comparisons(outcome: Outcome): Comparison[] {
  const compared = (what: string, id: string, baseId: string, pick?: (r: Measured) => number): Comparison[] =>
    ran(outcome, id) && ran(outcome, baseId)
      ? [{ what, results: Object.fromEntries(outcome.targets.map((t) => [t.deployment.name, spread(ratioPerRound(outcome.rounds, t.deployment.name as DatabaseName, id, baseId, pick))])) }]
      : [];
  return [
    compared('session-row lookup against stateless: throughput of GET /api/me/active over GET /api/me', 'session-row', 'me'),
    compared('the same in CPU per request (app server + PostgreSQL): GET /api/me/active over GET /api/me', 'session-row', 'me', totalCpu),
    compared('rotation against stateless, CPU per request: POST /api/auth/refresh over GET /api/me', 'refresh', 'me', totalCpu),
  ].flat();
}
