/**
 * Reads the V8 CPU profiles a server wrote (`npm run bench -- --profile <scenario>`) and says where the
 * time went: by package or project file, and the functions with the most self time; and the run that
 * has them written.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { refreshPool, type RoundsInput } from './rounds';
import { measure, type Scenario } from './scenarios';
import { stopAllServers } from './server';

type ProfileNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
type CpuProfile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

function owner(url: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.includes('/.next/')) return '.next (the app, compiled)';
  return url ? url.replace(/^.*?(app|lib|node:[^/]*)/, '$1') : '(native, GC, idle)';
}

/** Samples V8 spends outside JavaScript and native work: not part of a request's cost. */
const IDLE = new Set(['(idle)', '(program)']);

const frameKey = ({ functionName, url, lineNumber }: ProfileNode['callFrame']) =>
  `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber}`;

export function summariseProfiles(directory: string, top = 25): string {
  const byOwner = new Map<string, number>();
  const bySelf = new Map<string, number>();
  // Inclusive ("total") time: a sample counts for every function on its stack, once each.
  const byTotal = new Map<string, number>();
  let total = 0;
  let busy = 0;
  for (const file of readdirSync(directory).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(path.join(directory, file), 'utf8')) as CpuProfile;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const parents = new Map<number, number>();
    for (const n of profile.nodes) for (const child of n.children ?? []) parents.set(child, n.id);
    profile.samples.forEach((id, i) => {
      const node = nodes.get(id)!;
      const micros = profile.timeDeltas[i] ?? 0;
      total += micros;
      const { functionName, url } = node.callFrame;
      const who = owner(url) || functionName;
      byOwner.set(who, (byOwner.get(who) ?? 0) + micros);
      bySelf.set(frameKey(node.callFrame), (bySelf.get(frameKey(node.callFrame)) ?? 0) + micros);
      if (IDLE.has(functionName)) return;
      busy += micros;
      const onStack = new Set<string>();
      for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) onStack.add(frameKey(nodes.get(at)!.callFrame));
      for (const key of onStack) byTotal.set(key, (byTotal.get(key) ?? 0) + micros);
    });
  }
  const list = (map: Map<string, number>, of: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, micros]) => `${((100 * micros) / of).toFixed(1).padStart(5)}%  ${name}`)
      .join('\n');
  return (
    `CPU profile: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy\n\nby package or file:\n${list(byOwner, total)}\n\n` +
    `by function (self time):\n${list(bySelf, total)}\n\nby function (total time, of the busy samples):\n${list(byTotal, busy)}`
  );
}

/**
 * `--profile <scenario>`: only that scenario on each deployment (a 2-second warm-up, then one
 * measured run), with every server writing V8 CPU profiles; once the servers have stopped (which is
 * when the profiles are written), where the profiled server's time went.
 */
export async function runProfile(
  scenario: Scenario,
  { targets, settings, log }: Pick<RoundsInput, 'targets' | 'settings' | 'log'>,
  profileDir: (serverName: string) => string,
): Promise<void> {
  for (const target of targets) {
    target.refreshPool = await refreshPool(target, 20_000);
    await scenario.run(target, { ...settings, durationSeconds: 2, showProgress: false });
    const result = await measure(scenario, target, { ...settings, showProgress: false });
    log(`${target.deployment.label}, ${scenario.label}: ${Math.round(result.requestsPerSecond)} req/s, ${Math.round(result.cpuMicrosecondsPerRequest)} us CPU per request, ${result.errors} errors`);
  }
  await stopAllServers();
  for (const target of targets) {
    const server = scenario.server(target);
    console.log(`${target.deployment.label}, ${server.name}\n${summariseProfiles(profileDir(server.name))}\n`);
  }
}
