/**
 * `node --conditions=react-server --import tsx scripts/bench/page-cost.ts [--rounds N --duration S --connections N --only id,... --before DIR]`
 *
 * What a page of this app costs, part by part, against the bare app's dynamic page: the bare page with
 * the proxy's nonce CSP, then with this app's layout metadata, then inside this app's whole root layout
 * (signed out and signed in: the header's two navigations), beside this app's own pages, all in the same
 * interleaved rounds (page-cost-steps.ts). Then the dashboard's and the payments page's own database
 * reads, timed in this process on the same SQLite file. `--before DIR`: another checkout of this app,
 * built there, whose pages run beside this one's (a before/after in the same rounds). Writes nothing;
 * docs/benchmarks.md quotes it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BARE_PAGE, bareAppIfNeeded } from './bare-app';
import { buildIfNeeded } from './build';
import { pageCostSteps } from './page-cost-steps';
import { spread, formatSpread } from './stats';

const ROOT = path.resolve(import.meta.dirname, '../..');
process.chdir(ROOT);
const { values: args } = parseArgs({
  options: { rounds: { type: 'string', default: '5' }, duration: { type: 'string', default: '2' }, connections: { type: 'string', default: '50' }, reads: { type: 'string', default: '400' }, only: { type: 'string' }, before: { type: 'string' } },
});
const settings = { rounds: Number(args.rounds), durationSeconds: Number(args.duration), connections: Number(args.connections), showProgress: false };
const log = (line: string) => process.stderr.write(`${line}\n`);

// As run.ts: the configuration (and the database this process seeds and reads) is set before any
// module that reads it is imported.
const databaseDir = mkdtempSync(path.join(tmpdir(), 'bench-pages-'));
Object.assign(process.env, {
  ACCESS_TOKEN_KEYS: `bench:${randomBytes(32).toString('base64url')}`,
  HOUSEKEEPING_INTERVAL_SECONDS: '0',
  DATABASE_URL: `file:${path.join(databaseDir, 'bench.db')}`,
});
const { startServer, stopAllServers } = await import('./server');
const { applyMigrations } = await import('../lib/migrations');
const { loadGet } = await import('./load');
const { seedDatabase, signedInCookie } = await import('./fixtures');
const { readSessionTimeline } = await import('../../lib/session/session-timeline');
const { getLedger } = await import('../../lib/payments/ledger');

type Server = Awaited<ReturnType<typeof startServer>>;
/** `id` names the case for `--only` (the bare page always runs: every figure is against it). */
type Case = { id: string; server: Server; label: string; pathname: string; signedIn: boolean };

async function main() {
  buildIfNeeded(log);
  const folders = [{ name: 'bare Next.js app', dir: bareAppIfNeeded(ROOT, log) }, ...pageCostSteps(ROOT).map((step) => ({ name: `bare + ${step.name}`, dir: bareAppIfNeeded(ROOT, log, step) }))];
  await applyMigrations(process.env.DATABASE_URL!);
  const { userId } = await seedDatabase();
  const { cookie, sessionId } = await signedInCookie(userId);
  const env = { ACCESS_TOKEN_KEYS: process.env.ACCESS_TOKEN_KEYS!, HOUSEKEEPING_INTERVAL_SECONDS: '0', DATABASE_URL: process.env.DATABASE_URL! };
  const heap = '--max-old-space-size=256';
  const servers = await Promise.all([
    ...folders.map(({ name, dir }) => startServer({ name, env, nodeOptions: heap, dir })),
    startServer({ name: 'this app', env, nodeOptions: heap }),
    ...(args.before ? [startServer({ name: 'this app before', env, nodeOptions: heap, dir: path.resolve(args.before) })] : []),
  ]);
  const [bare, proxied, hooked, titleOnly, staticMetadata, metadata, layout, app, before] = servers;
  const cases: Case[] = [
    { id: 'bare', server: bare, label: 'bare Next.js app', pathname: BARE_PAGE, signedIn: false },
    { id: 'proxy', server: proxied, label: 'bare + the proxy with the nonce CSP', pathname: BARE_PAGE, signedIn: false },
    { id: 'hook', server: hooked, label: 'bare + the nonce CSP from a server hook, a proxy that does nothing', pathname: BARE_PAGE, signedIn: false },
    { id: 'title', server: titleOnly, label: 'bare + nonce proxy + a static title and description', pathname: BARE_PAGE, signedIn: false },
    { id: 'static-metadata', server: staticMetadata, label: "bare + nonce proxy + this app's metadata as a static object", pathname: BARE_PAGE, signedIn: false },
    { id: 'metadata', server: metadata, label: "bare + nonce proxy + this app's layout metadata", pathname: BARE_PAGE, signedIn: false },
    { id: 'layout', server: layout, label: "bare + nonce proxy + this app's whole root layout, signed out", pathname: BARE_PAGE, signedIn: false },
    { id: 'layout-signed-in', server: layout, label: "bare + nonce proxy + this app's whole root layout, signed in", pathname: BARE_PAGE, signedIn: true },
    { id: 'home', server: app, label: 'this app, signed out', pathname: '/', signedIn: false },
    { id: 'login', server: app, label: 'this app, signed out', pathname: '/login', signedIn: false },
    { id: 'dashboard', server: app, label: 'this app, signed in', pathname: '/dashboard', signedIn: true },
    { id: 'payments', server: app, label: 'this app, signed in', pathname: '/payments', signedIn: true },
    ...(before
      ? [
          { id: 'before-home', server: before, label: 'this app before, signed out', pathname: '/', signedIn: false },
          { id: 'before-login', server: before, label: 'this app before, signed out', pathname: '/login', signedIn: false },
          { id: 'before-dashboard', server: before, label: 'this app before, signed in', pathname: '/dashboard', signedIn: true },
        ]
      : []),
  ];
  const only = args.only ? new Set(['bare', ...args.only.split(',').map((id) => id.trim())]) : null;
  if (only) cases.splice(0, cases.length, ...cases.filter((c) => only.has(c.id)));
  const get = (c: Case, durationSeconds: number) => loadGet(`${c.server.url}${c.pathname}`, c.signedIn ? { cookie } : {}, { ...settings, durationSeconds });
  for (const c of cases) {
    const warm = await get(c, 1);
    if (warm.errors) throw new Error(`${c.label} ${c.pathname}: ${warm.errors} errors`);
  }
  const results = new Map<Case, { rps: number; cpu: number }[]>(cases.map((c) => [c, []]));
  for (let round = 0; round < settings.rounds; round++) {
    const order = cases.map((_, i) => cases[(i + round * 2) % cases.length]);
    for (const c of order) {
      const cpuBefore = c.server.cpuMicroseconds();
      const r = await get(c, settings.durationSeconds);
      if (r.errors) throw new Error(`${c.label} ${c.pathname}: ${r.errors} errors`);
      results.get(c)!.push({ rps: r.requestsPerSecond, cpu: (c.server.cpuMicroseconds() - cpuBefore) / Math.max(r.requests, 1) });
    }
    log(`round ${round + 1}/${settings.rounds} done`);
  }
  await stopAllServers();
  console.log(`${settings.rounds} rounds, ${settings.connections} connections, ${settings.durationSeconds} s per page per round; load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(table(cases, results));
  console.log(pairs(cases, results));
  console.log(await reads(userId, sessionId));
}

/** Each case against the bare page of the same round: throughput ratio, and server CPU per request over the bare page's. */
function table(cases: Case[], results: Map<Case, { rps: number; cpu: number }[]>): string {
  const lines = ['| page | req/s | x bare page | server CPU us/req | CPU over bare page, us/req |', '|---|---|---|---|---|'];
  const bare = results.get(cases[0])!;
  for (const c of cases) {
    const r = results.get(c)!;
    const ratio = spread(r.map((m, i) => m.rps / bare[i].rps));
    const extra = spread(r.map((m, i) => m.cpu - bare[i].cpu));
    lines.push(`| ${c.label}: \`GET ${c.pathname}\` | ${formatSpread(spread(r.map((m) => m.rps)))} | ${formatSpread(ratio, 2)} | ${formatSpread(spread(r.map((m) => m.cpu)))} | ${formatSpread(extra)} |`);
  }
  return lines.join('\n');
}

/** Two ways of doing the same thing, compared round by round: [changed, reference]. */
const PAIRS = [
  ['hook', 'proxy'],
  ['static-metadata', 'metadata'],
  ['title', 'metadata'],
  ['layout-signed-in', 'layout'],
  ['home', 'before-home'],
  ['login', 'before-login'],
  ['dashboard', 'before-dashboard'],
] as const;

/** Per pair, the server CPU per request of the first minus the second's, round by round, and in how many rounds the first cost less. */
function pairs(cases: Case[], results: Map<Case, { rps: number; cpu: number }[]>): string {
  const lines = ['| compared round by round | CPU difference us/req (median, range) | rounds where the first cost less |', '|---|---|---|'];
  for (const [first, second] of PAIRS) {
    const a = cases.find((c) => c.id === first);
    const b = cases.find((c) => c.id === second);
    if (!a || !b) continue;
    const ra = results.get(a)!;
    const rb = results.get(b)!;
    const differences = ra.map((m, i) => m.cpu - rb[i].cpu);
    lines.push(`| ${a.label}: \`GET ${a.pathname}\` against ${b.label}: \`GET ${b.pathname}\` | ${formatSpread(spread(differences))} | ${differences.filter((d) => d < 0).length} of ${differences.length} |`);
  }
  return lines.join('\n');
}

/** The pages' own reads, one at a time in this process (the servers are stopped): wall time and CPU per call. */
async function reads(userId: string, sessionId: string): Promise<string> {
  const count = Number(args.reads);
  const time = async (run: () => Promise<unknown>) => {
    for (let i = 0; i < 50; i++) await run();
    const wall: number[] = [];
    const cpuBefore = process.cpuUsage();
    for (let i = 0; i < count; i++) {
      const start = process.hrtime.bigint();
      await run();
      wall.push(Number(process.hrtime.bigint() - start) / 1000);
    }
    const cpu = process.cpuUsage(cpuBefore);
    return { wall: spread(wall), cpu: (cpu.user + cpu.system) / count };
  };
  const rows = [
    { label: "/dashboard's read: readSessionTimeline (the session row and its tokens' aggregate, one transaction)", run: () => readSessionTimeline(sessionId, userId) },
    { label: "/payments's read: getLedger (balance and count in one transaction, then a page of payments)", run: () => getLedger(userId, 1) },
  ];
  const lines = [`In process, SQLite file, ${count} calls one at a time:`, '', '| read | wall us per call (median, range) | CPU us per call |', '|---|---|---|'];
  for (const row of rows) {
    const r = await time(row.run);
    lines.push(`| ${row.label} | ${formatSpread(r.wall)} | ${r.cpu.toFixed(0)} |`);
  }
  return lines.join('\n');
}

try {
  await main();
  rmSync(databaseDir, { recursive: true, force: true });
  process.exit(0);
} catch (error) {
  await stopAllServers();
  rmSync(databaseDir, { recursive: true, force: true });
  console.error(`page-cost failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
}
