/**
 * What the benchmark measures: the deployments under test (a Target: a database and its two servers)
 * and the scenarios run against each, every one the same load (autocannon, load.ts). The baseline is
 * a bare Next.js app (bare-app.ts), measured beside each deployment in the same rounds.
 */
import { BARE_PAGE, BARE_PAGE_BASELINE, BARE_ROUTE, BASELINE } from './bare-app';
import { loadGet, loadRefreshChains, type LoadResult, type LoadSettings } from './load';
import type { Deployment } from './deployments';
import type { BenchServer } from './server';
import { countsPerRequest, readCounts, type CountsPerRequest } from './rotation-counts';

/**
 * Rotations per chain before a connection moves to the next pooled session: one. A successor younger
 * than the grace window is answered with itself, not rotated again (lib/session/rotation-decision.ts),
 * so a chain presenting its successor at once would measure that cheaper answer instead. A browser
 * rotates once per access-token lifetime anyway.
 */
export const ROTATIONS_PER_CHAIN = 1;

/** One deployment under test: its database, its two servers, and what the scenarios need from it. */
export type Target = {
  deployment: Deployment;
  userId: string;
  /** The bare Next.js app's server, the baseline: one for every deployment, measured beside each. */
  bare: BenchServer;
  stateless: BenchServer;
  revocation: BenchServer;
  revocationActive: boolean;
  /** The `Cookie` header of a signed-in browser on this deployment. */
  cookie: string;
  /** Fresh sessions for the refresh chains, made before each round. */
  refreshPool: string[];
  /** The baseline's (the bare route's) throughput in the last round: sizes the next round's refresh pool. */
  baselineRps: number;
};

export type Scenario = {
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

/**
 * A scenario's result with the server's CPU time per request (steadier than req/s on a shared machine),
 * the database's, and for a scenario that reaches the database what the server sent it per request.
 */
export type Measured = LoadResult & {
  cpuMicrosecondsPerRequest: number;
  databaseCpuMicrosecondsPerRequest: number | null;
  databaseCounts?: CountsPerRequest;
};

export async function measure(scenario: Scenario, target: Target, load: LoadSettings): Promise<Measured> {
  const server = scenario.server(target);
  const databaseCpu = target.deployment.databaseCpuMicroseconds;
  const countsBefore = scenario.touchesDatabase ? await readCounts(server.name) : null;
  const before = server.cpuMicroseconds();
  const databaseBefore = databaseCpu?.() ?? 0;
  const result = await scenario.run(target, load);
  const requests = Math.max(result.requests, 1);
  const measured: Measured = {
    ...result,
    cpuMicrosecondsPerRequest: (server.cpuMicroseconds() - before) / requests,
    databaseCpuMicrosecondsPerRequest: databaseCpu ? (databaseCpu() - databaseBefore) / requests : null,
  };
  if (countsBefore) {
    // Once the server is quiet: the requests the run cut off have ended, and their CPU is spent too.
    const countsAfter = await readCounts(server.name);
    const counted = countsPerRequest(countsBefore, countsAfter);
    measured.databaseCounts = { ...counted, cpuMicroseconds: (server.cpuMicroseconds() - before) / Math.max(counted.requests, 1) };
  }
  return measured;
}

const revocationMode = (target: Target) => (target.revocationActive ? 'revocation-list' : 'revocation-list (absent: stateless)');

/** Every scenario, the bare app's first; `connections` names the refresh chains in the label. */
export function scenarios(connections: number): Scenario[] {
  const get = (pick: (t: Target) => BenchServer, pathname: string, withSession: boolean) => (t: Target, load: LoadSettings) =>
    loadGet(`${pick(t).url}${pathname}`, withSession ? { cookie: t.cookie } : {}, load);
  const bare = (t: Target) => t.bare;
  const stateless = (t: Target) => t.stateless;
  const revocation = (t: Target) => t.revocation;
  const none = () => '';
  return [
    { id: BASELINE, short: 'bare app: route handler (baseline)', label: 'bare Next.js app: GET /api/health (route handler, the baseline)', mode: none, touchesDatabase: false, server: bare, run: get(bare, BARE_ROUTE, false) },
    { id: BARE_PAGE_BASELINE, short: 'bare app: dynamic page', label: 'bare Next.js app: GET /dynamic (page rendered per request)', mode: none, touchesDatabase: false, server: bare, run: get(bare, BARE_PAGE, false) },
    { id: 'health', short: 'GET /api/health', label: 'GET /api/health (outside the proxy)', mode: none, touchesDatabase: false, server: stateless, run: get(stateless, '/api/health', false) },
    { id: 'pass-through', short: 'proxy that does nothing', label: 'GET /probe/pass-through (a proxy that does nothing)', mode: none, touchesDatabase: false, server: stateless, run: get(stateless, '/probe/pass-through', true) },
    { id: 'proxy-public', short: 'proxy: CSP', label: 'GET /probe/public (proxy sets the CSP, no token check)', mode: none, touchesDatabase: false, server: stateless, run: get(stateless, '/probe/public', true) },
    { id: 'proxy-verify', short: 'proxy: CSP + token check', label: 'GET /probe/signed-in (proxy verifies the token, sets the CSP)', mode: () => 'stateless', touchesDatabase: false, server: stateless, run: get(stateless, '/probe/signed-in', true) },
    { id: 'me', short: 'GET /api/me', label: 'GET /api/me', mode: () => 'stateless', touchesDatabase: false, server: stateless, run: get(stateless, '/api/me', true) },
    { id: 'public-page', short: 'GET /login (public page)', label: 'GET /login (public page, signed out)', mode: none, touchesDatabase: false, server: stateless, run: get(stateless, '/login', false) },
    // The dashboard reads the session row for its token-lifecycle picture (lib/session/session-timeline.ts).
    { id: 'dashboard', short: 'GET /dashboard', label: 'GET /dashboard (server-rendered page)', mode: () => 'stateless', touchesDatabase: true, server: stateless, run: get(stateless, '/dashboard', true) },
    { id: 'payments', short: 'GET /payments', label: 'GET /payments (server-rendered page)', mode: () => 'stateless', touchesDatabase: true, server: stateless, run: get(stateless, '/payments', true) },
    // The list is read from the database at most twice a second per process, shared by the reads waiting.
    { id: 'me-revocation', short: 'GET /api/me', label: 'GET /api/me', mode: revocationMode, touchesDatabase: true, server: revocation, run: get(revocation, '/api/me', true) },
    { id: 'dashboard-revocation', short: 'GET /dashboard', label: 'GET /dashboard (server-rendered page)', mode: revocationMode, touchesDatabase: true, server: revocation, run: get(revocation, '/dashboard', true) },
    { id: 'session-row', short: 'GET /api/me/active (session row)', label: 'GET /api/me/active (token and session row through Prisma)', mode: () => 'session row', touchesDatabase: true, server: stateless, run: get(stateless, '/api/me/active', true) },
    {
      id: 'refresh',
      short: 'POST /api/auth/refresh (rotation)',
      label: `POST /api/auth/refresh (${connections} rotation chains)`,
      mode: () => 'rotation',
      touchesDatabase: true,
      server: stateless,
      run: (t, load) => loadRefreshChains(t.stateless.url, t.refreshPool, ROTATIONS_PER_CHAIN, load),
    },
  ];
}

/** The scenarios `--scenarios` selects (all without it); throws on an id that names none. */
export function selectScenarios(connections: number, only: Set<string> | null): Scenario[] {
  const every = scenarios(connections);
  const unknown = [...(only ?? [])].filter((id) => !every.some((s) => s.id === id));
  if (unknown.length) throw new Error(`--scenarios: no scenario ${unknown.join(', ')} (${every.map((s) => s.id).join(', ')})`);
  return only ? every.filter((s) => only.has(s.id)) : every;
}
