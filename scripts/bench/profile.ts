/**
 * Reads the V8 CPU profiles a server wrote (`npm run bench -- --profile <scenario>`) and says where the
 * time went: by package or project file, and the functions with the most self time.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

type ProfileNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number } };
type CpuProfile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

function owner(url: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.includes('/.next/')) return '.next (the app, compiled)';
  return url ? url.replace(/^.*?(app|lib|node:[^/]*)/, '$1') : '(native, GC, idle)';
}

export function summariseProfiles(directory: string, top = 25): string {
  const byOwner = new Map<string, number>();
  const bySelf = new Map<string, number>();
  let total = 0;
  for (const file of readdirSync(directory).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(path.join(directory, file), 'utf8')) as CpuProfile;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    profile.samples.forEach((id, i) => {
      const node = nodes.get(id)!;
      const micros = profile.timeDeltas[i] ?? 0;
      total += micros;
      const { functionName, url, lineNumber } = node.callFrame;
      const who = owner(url) || functionName;
      byOwner.set(who, (byOwner.get(who) ?? 0) + micros);
      const key = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber}`;
      bySelf.set(key, (bySelf.get(key) ?? 0) + micros);
    });
  }
  const list = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, micros]) => `${((100 * micros) / total).toFixed(1).padStart(5)}%  ${name}`)
      .join('\n');
  return `CPU profile: ${(total / 1e6).toFixed(1)} s sampled\n\nby package or file:\n${list(byOwner)}\n\nby function (self time):\n${list(bySelf)}`;
}
