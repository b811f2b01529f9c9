/**
 * Reads the V8 CPU profiles a server wrote (`npm run bench -- --profile <scenario>`) and says where the
 * time went: by package or project file, and the functions with the most self time; and the run that
 * has them written.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { refreshPool, type RoundsInput } from './rounds';
import { measure, type Scenario } from './scenarios';
import { stopAllServers } from './server';

type ProfileNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] };
type CpuProfile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number };

/**
 * The measured run: its start and end on the monotonic clock in microseconds (V8's profiles and
 * `process.hrtime` read the same clock), so that start-up and warm-up are left out, and the server's
 * CPU time per request over it (from /proc). V8 samples by the wall clock, so on a busy machine a
 * sample also counts time the thread waited for a core: each function's share of the busy samples is
 * given per request as that share of the CPU time.
 */
export type ProfileWindow = { from: number; to: number; cpuMicrosecondsPerRequest: number };

const monotonicMicroseconds = () => Number(process.hrtime.bigint() / 1000n);

function owner(url: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.includes('/.next/')) return '.next (the app, compiled)';
  return url ? url.replace(/^.*?(app|lib|node:[^/]*)/, '$1') : '(native, GC, idle)';
}

const sourceMaps = new Map<string, SourceMap | null>();

/**
 * The source file a frame ran from: for the build, through the chunk's source map (the build is
 * minified, so its function names say nothing). `node_modules/<package>/...` or the project's path.
 */
function originalFile({ url, lineNumber, columnNumber }: ProfileNode['callFrame']): string | null {
  if (!url.includes('/.next/')) {
    // Next.js's own server (router, base server) runs from node_modules, not from the build.
    const inPackages = url.lastIndexOf('node_modules/');
    return inPackages >= 0 ? url.slice(inPackages) : null;
  }
  const file = url.startsWith('file://') ? fileURLToPath(url) : url;
  if (!sourceMaps.has(file)) {
    try {
      sourceMaps.set(file, new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8'))));
    } catch {
      sourceMaps.set(file, null);
    }
  }
  const entry = sourceMaps.get(file)?.findEntry(lineNumber, columnNumber);
  if (!entry || !('originalSource' in entry)) return null;
  const source = entry.originalSource;
  const inPackages = source.lastIndexOf('node_modules/');
  return inPackages >= 0 ? source.slice(inPackages) : source.replace(/^(\.\.\/)+/, '');
}

/** Samples V8 spends outside JavaScript and native work: not part of a request's cost. */
const IDLE = new Set(['(idle)', '(program)']);

const frameKey = ({ functionName, url, lineNumber }: ProfileNode['callFrame']) =>
  `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber}`;

export function summariseProfiles(directory: string, top = 25, window?: ProfileWindow): string {
  const byOwner = new Map<string, number>();
  const bySelf = new Map<string, number>();
  // Inclusive ("total") time: a sample counts for every function on its stack, once each.
  const byTotal = new Map<string, number>();
  // The same by the source file the build was made from: what each project file and package costs.
  const bySource = new Map<string, number>();
  // Self time by source file, with Node's own internals charged to the nearest file that called them:
  // what a file's own code costs, without what it hands on to (a hook that wraps Next's handler).
  const bySourceSelf = new Map<string, number>();
  let total = 0;
  let busy = 0;
  for (const file of readdirSync(directory).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(path.join(directory, file), 'utf8')) as CpuProfile;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const parents = new Map<number, number>();
    for (const n of profile.nodes) for (const child of n.children ?? []) parents.set(child, n.id);
    const sources = new Map(profile.nodes.map((n) => [n.id, originalFile(n.callFrame)]));
    let at = profile.startTime;
    profile.samples.forEach((id, i) => {
      const node = nodes.get(id)!;
      const micros = profile.timeDeltas[i] ?? 0;
      at += micros;
      if (window && (at < window.from || at > window.to)) return;
      total += micros;
      const { functionName, url } = node.callFrame;
      const who = owner(url) || functionName;
      byOwner.set(who, (byOwner.get(who) ?? 0) + micros);
      bySelf.set(frameKey(node.callFrame), (bySelf.get(frameKey(node.callFrame)) ?? 0) + micros);
      if (IDLE.has(functionName)) return;
      busy += micros;
      const onStack = new Set<string>();
      const sourcesOnStack = new Set<string>();
      for (let frame: number | undefined = id; frame !== undefined; frame = parents.get(frame)) {
        onStack.add(frameKey(nodes.get(frame)!.callFrame));
        const source = sources.get(frame);
        if (source) sourcesOnStack.add(source);
      }
      for (const key of onStack) byTotal.set(key, (byTotal.get(key) ?? 0) + micros);
      for (const source of sourcesOnStack) bySource.set(source, (bySource.get(source) ?? 0) + micros);
      let nearest: number | undefined = id;
      while (nearest !== undefined && !sources.get(nearest)) nearest = parents.get(nearest);
      const own = nearest === undefined ? '(Node.js and V8 alone)' : sources.get(nearest)!;
      bySourceSelf.set(own, (bySourceSelf.get(own) ?? 0) + micros);
    });
  }
  const perRequest = (micros: number) => (window ? `${((micros / busy) * window.cpuMicrosecondsPerRequest).toFixed(0).padStart(6)} us/req  ` : '');
  const list = (map: Map<string, number>, of: number, withPerRequest = false) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, micros]) => `${((100 * micros) / of).toFixed(1).padStart(5)}%  ${withPerRequest ? perRequest(micros) : ''}${name}`)
      .join('\n');
  const scope = window ? `the measured run only (server CPU ${Math.round(window.cpuMicrosecondsPerRequest)} us per request)` : 'the whole life of the server';
  return (
    `CPU profile of ${scope}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy\n\nby package or file:\n${list(byOwner, total)}\n\n` +
    `by function (self time):\n${list(bySelf, total)}\n\nby function (total time, of the busy samples):\n${list(byTotal, busy, true)}\n\n` +
    `by source file (total time, of the busy samples; the build's through its source maps):\n${list(bySource, busy, true)}\n\n` +
    `by source file (self time, Node.js internals charged to the file that called them, of the busy samples):\n${list(bySourceSelf, busy, true)}`
  );
}

/**
 * `--profile <scenario>`: only that scenario on each deployment (a 2-second warm-up, then one
 * measured run), with every server writing V8 CPU profiles; once the servers have stopped (which is
 * when the profiles are written), where the profiled server's time went during the measured run, per
 * request.
 */
export async function runProfile(
  scenario: Scenario,
  { targets, settings, log }: Pick<RoundsInput, 'targets' | 'settings' | 'log'>,
  profileDir: (serverName: string) => string,
): Promise<void> {
  const windows: ProfileWindow[] = [];
  for (const target of targets) {
    target.refreshPool = await refreshPool(target, 20_000);
    await scenario.run(target, { ...settings, durationSeconds: 2, showProgress: false });
    const from = monotonicMicroseconds();
    const result = await measure(scenario, target, { ...settings, showProgress: false });
    windows.push({ from, to: monotonicMicroseconds(), cpuMicrosecondsPerRequest: result.cpuMicrosecondsPerRequest });
    log(`${target.deployment.label}, ${scenario.label}: ${Math.round(result.requestsPerSecond)} req/s, ${Math.round(result.cpuMicrosecondsPerRequest)} us CPU per request, ${result.errors} errors`);
  }
  await stopAllServers();
  for (const [i, target] of targets.entries()) {
    const server = scenario.server(target);
    console.log(`${target.deployment.label}, ${server.name}\n${summariseProfiles(profileDir(server.name), 40, windows[i])}\n`);
  }
}
