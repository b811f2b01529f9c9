/**
 * `next start` servers the benchmark starts and stops itself: each in its own process group (so
 * stopping the group also stops any child Next.js forks, and a later run never finds the port taken),
 * on a port the kernel picks, with memory read from /proc (Linux).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { freePort, KEEP_ALIVE_ARGS } from '../lib/local-server';

export type BenchServer = {
  name: string;
  url: string;
  pid: number;
  /** Resets the kernel's peak-RSS counters of the server's processes (VmHWM). */
  resetPeak(): void;
  /** Peak RSS in bytes since the last reset, summed over the server's processes. */
  peakRss(): number;
  /** Current RSS in bytes, summed over the server's processes. */
  rss(): number;
  /** CPU time (user + system) in microseconds the server's processes have used so far. */
  cpuMicroseconds(): number;
  stop(): Promise<void>;
};

/** Every process in the process group `pgid` (the server and anything it forked). */
function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    if (Number(statFields(Number(entry))?.[2]) === pgid) members.push(Number(entry));
  }
  return members;
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ, 100 on Linux

/** The fields of /proc/PID/stat after the command name (which may contain spaces), from the state on. */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null; // the process ended while we looked
  }
}

/**
 * CPU time of one process in microseconds: utime and stime (fields 14 and 15 of /proc/PID/stat, i.e. 11
 * and 12 after the state field), plus with `reapedChildren` cutime and cstime (16 and 17): the time of
 * its children that ended and that it waited for.
 */
function cpuMicroseconds(pid: number, reapedChildren = false): number {
  const fields = statFields(pid);
  if (!fields) return 0;
  const ticks = [11, 12, ...(reapedChildren ? [13, 14] : [])].reduce((sum, i) => sum + Number(fields[i]), 0);
  return (ticks / CLOCK_TICKS_PER_SECOND) * 1e6;
}

/**
 * CPU time of a server that forks a process per connection (PostgreSQL's postmaster) and everything
 * it forked: its own, its running children's, and its ended children's (the kernel adds those to the
 * parent when it reaps them). So the total only grows, even when connections close meanwhile.
 */
export function processTreeCpuMicroseconds(pid: number): number {
  let total = cpuMicroseconds(pid, true);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (fields && Number(fields[1]) === pid) total += cpuMicroseconds(Number(entry));
  }
  return total;
}

function statusField(pid: number, name: 'VmRSS' | 'VmHWM'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** Resolves when `next start` prints that it is ready; rejects if it exits first. */
function ready(child: ChildProcess, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${name}: next start was not ready within 60 s:\n${output}`)), 60_000);
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      output += text;
      if (/Ready in/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (text: string) => (output += text));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name}: next start exited (${code}) before it was ready:\n${output}`));
    });
  });
}

const running = new Set<BenchServer>();

/** Stops every server still running: on normal exit, Ctrl-C, or a failure. */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...running].map((server) => server.stop()));
}

export async function startServer(options: {
  name: string;
  env: Record<string, string>;
  nodeOptions: string;
  /** Flags for node itself that NODE_OPTIONS may not carry (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** The app's folder when it is not this repository (the bare app, bare-app.ts). */
  dir?: string;
}): Promise<BenchServer> {
  const port = await freePort();
  const args = [...(options.nodeArgs ?? []), 'node_modules/next/dist/bin/next', 'start', ...(options.dir ? [options.dir] : []), '--port', String(port), ...KEEP_ALIVE_ARGS];
  const child = spawn(process.execPath, args, {
    detached: true, // its own process group: stopped as a whole
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      ...options.env,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      NODE_OPTIONS: options.nodeOptions,
      PORT: String(port),
    },
  });
  const pid = child.pid!;
  let stopped: Promise<void> | undefined;
  const server: BenchServer = {
    name: options.name,
    url: `http://localhost:${port}`,
    pid,
    resetPeak() {
      for (const member of groupMembers(pid)) {
        try {
          writeFileSync(`/proc/${member}/clear_refs`, '5');
        } catch {
          // Not permitted on this kernel: the peak then runs from the process start.
        }
      }
    },
    peakRss: () => groupMembers(pid).reduce((sum, member) => sum + statusField(member, 'VmHWM'), 0),
    rss: () => groupMembers(pid).reduce((sum, member) => sum + statusField(member, 'VmRSS'), 0),
    cpuMicroseconds: () => groupMembers(pid).reduce((sum, member) => sum + cpuMicroseconds(member), 0),
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        running.delete(server);
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        try {
          process.kill(-pid, 'SIGTERM');
        } catch {
          return resolve();
        }
        // A server that ignores SIGTERM is killed after 5 s.
        setTimeout(() => {
          try {
            process.kill(-pid, 'SIGKILL');
          } catch {}
        }, 5_000).unref();
      });
      return stopped;
    },
  };
  running.add(server);
  await ready(child, options.name);
  // Keep reading its output so a full pipe never blocks it; show only what it says on stderr.
  child.stdout!.resume();
  child.stderr!.on('data', (text: string) => process.stderr.write(`[${options.name}] ${text}`));
  return server;
}
