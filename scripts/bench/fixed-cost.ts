/**
 * `node --conditions=react-server --import tsx scripts/bench/fixed-cost.ts [--rounds N --duration S --connections N]`
 *
 * This app's fixed cost per request, step by step: the bare Next.js app alone, and with each step this
 * app adds (fixed-cost-steps.ts) on its own, beside this app itself, all measured in the same
 * interleaved rounds (each round runs every server and path once, in a rotating order). It prints, per
 * path, the throughput and the server CPU time per request over the rounds (medians), each against the
 * bare app of the same round. Writes nothing; docs/benchmarks.md quotes it.
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BARE_PAGE, BARE_ROUTE, bareAppIfNeeded } from './bare-app';
import { buildIfNeeded } from './build';
import { fixedCostSteps } from './fixed-cost-steps';
import { spread, formatSpread } from './stats';

const ROOT = path.resolve(import.meta.dirname, '../..');
process.chdir(ROOT);
const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, duration: { type: 'string', default: '2' }, connections: { type: 'string', default: '50' } } });
const settings = { rounds: Number(args.rounds), durationSeconds: Number(args.duration), connections: Number(args.connections), showProgress: false };
const log = (line: string) => process.stderr.write(`${line}\n`);

// As run.ts: the servers' configuration is set before any module that reads it is imported.
Object.assign(process.env, { ACCESS_TOKEN_KEYS: `bench:${randomBytes(32).toString('base64url')}`, HOUSEKEEPING_INTERVAL_SECONDS: '0' });
const { startServer, stopAllServers } = await import('./server');
const { startSqlite } = await import('./deployments');
const { loadGet } = await import('./load');

type Server = Awaited<ReturnType<typeof startServer>>;
/** One measured request: a path on a server, named for the table. */
type Case = { server: Server; label: string; pathname: string; kind: 'route' | 'page' };

async function main() {
  buildIfNeeded(log);
  const folders = [{ name: 'bare Next.js app', dir: bareAppIfNeeded(ROOT, log) }, ...fixedCostSteps(ROOT).map((step) => ({ name: `bare + ${step.name}`, dir: bareAppIfNeeded(ROOT, log, step) }))];
  const database = await startSqlite();
  try {
    const heap = '--max-old-space-size=256';
    const env = { ACCESS_TOKEN_KEYS: process.env.ACCESS_TOKEN_KEYS!, HOUSEKEEPING_INTERVAL_SECONDS: '0', DATABASE_URL: database.databaseUrl };
    const servers = await Promise.all([
      ...folders.map(({ name, dir }) => startServer({ name, env, nodeOptions: heap, dir })),
      startServer({ name: 'this app', env, nodeOptions: heap }),
    ]);
    const app = servers.at(-1)!;
    const cases: Case[] = [
      ...servers.slice(0, -1).flatMap((server): Case[] => [
        { server, label: server.name, pathname: BARE_ROUTE, kind: 'route' },
        { server, label: server.name, pathname: BARE_PAGE, kind: 'page' },
      ]),
      { server: app, label: 'this app', pathname: '/api/health', kind: 'route' },
      { server: app, label: 'this app, behind its proxy (returns at once)', pathname: '/probe/pass-through', kind: 'route' },
      { server: app, label: 'this app, behind its proxy (the CSP)', pathname: '/probe/public', kind: 'route' },
      { server: app, label: 'this app, a public page', pathname: '/login', kind: 'page' },
    ];
    for (const c of cases) {
      const warm = await loadGet(`${c.server.url}${c.pathname}`, {}, { ...settings, durationSeconds: 1 });
      if (warm.errors) throw new Error(`${c.label} ${c.pathname}: ${warm.errors} errors`);
    }
    const results = new Map<Case, { rps: number; cpu: number }[]>(cases.map((c) => [c, []]));
    for (let round = 0; round < settings.rounds; round++) {
      const order = cases.map((_, i) => cases[(i + round * 3) % cases.length]);
      for (const c of order) {
        const before = c.server.cpuMicroseconds();
        const r = await loadGet(`${c.server.url}${c.pathname}`, {}, settings);
        if (r.errors) throw new Error(`${c.label} ${c.pathname}: ${r.errors} errors`);
        results.get(c)!.push({ rps: r.requestsPerSecond, cpu: (c.server.cpuMicroseconds() - before) / Math.max(r.requests, 1) });
      }
      log(`round ${round + 1}/${settings.rounds} done`);
    }
    console.log(`${settings.rounds} rounds, ${settings.connections} connections, ${settings.durationSeconds} s per request per round; load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log(table(cases, results));
  } finally {
    await stopAllServers();
    await database.stop();
  }
}

/** Per path kind, each case against the bare app's same path in the same round: throughput ratio, and CPU per request over the bare's. */
function table(cases: Case[], results: Map<Case, { rps: number; cpu: number }[]>): string {
  const lines = ['| request | req/s | x bare | server CPU us/req | CPU over bare, us/req |', '|---|---|---|---|---|'];
  for (const kind of ['route', 'page'] as const) {
    const bare = results.get(cases.find((c) => c.kind === kind)!)!;
    for (const c of cases.filter((x) => x.kind === kind)) {
      const r = results.get(c)!;
      const ratio = spread(r.map((m, i) => m.rps / bare[i].rps));
      const extra = spread(r.map((m, i) => m.cpu - bare[i].cpu));
      lines.push(`| ${c.label}: \`GET ${c.pathname}\` | ${formatSpread(spread(r.map((m) => m.rps)))} | ${formatSpread(ratio, 2)} | ${formatSpread(spread(r.map((m) => m.cpu)))} | ${formatSpread(extra)} |`);
    }
  }
  return lines.join('\n');
}

try {
  await main();
  process.exit(0);
} catch (error) {
  await stopAllServers();
  console.error(`fixed-cost failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
