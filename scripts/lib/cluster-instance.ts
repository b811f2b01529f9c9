/**
 * One `next start` instance of the cluster: its process (in its own process group, so stopping it
 * also stops the `next-server` that `next start` forks), its log file, and the health probe the
 * cluster's monitor sends it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, KEEP_ALIVE_ARGS, waitUntilServing } from './local-server';
import { endGroup, hasExited, signalGroup } from './process-group';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const NEXT_BIN = path.join(PROJECT_ROOT, 'node_modules', 'next', 'dist', 'bin', 'next');

export type InstanceProcess = {
  /** 1-based, as in the logs. */
  index: number;
  port: number;
  /** `http://127.0.0.1:<port>`: the instance directly, bypassing nginx. */
  url: string;
  /** The last 20,000 characters it printed (all of it is in `<directory>/instance-<index>.log`). */
  output(): string;
  /** Starts `next start` and resolves once it serves. */
  start(): Promise<void>;
  /** `signal` to its process group (SIGKILL after 5 s), then SIGKILL to what is left of the group. */
  end(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** SIGKILL now, synchronously: for a process that is exiting. */
  kill(): void;
};

/** An instance on a free port, not started yet. `env` is its whole environment. */
export async function instanceProcess(index: number, env: NodeJS.ProcessEnv, directory: string): Promise<InstanceProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let output = '';

  return {
    index,
    port,
    url,
    output: () => output,
    async start() {
      child = spawn(process.execPath, [NEXT_BIN, 'start', '-H', '127.0.0.1', '-p', String(port), ...KEEP_ALIVE_ARGS], {
        cwd: PROJECT_ROOT,
        detached: true, // its own process group: next start forks next-server, which must go too
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...env, PORT: String(port) },
      });
      const file = createWriteStream(path.join(directory, `instance-${index}.log`), { flags: 'a' });
      const keep = (chunk: Buffer) => {
        file.write(chunk);
        output = (output + chunk.toString('utf8')).slice(-20_000);
      };
      child.stdout!.on('data', keep);
      child.stderr!.on('data', keep);
      child.once('exit', () => file.end());
      await waitUntilServing(url, child, () => output);
    },
    async end(signal) {
      const running = child;
      if (!running || hasExited(running)) return;
      await endGroup(running, signal);
      // next-server may outlive `next start` for a moment: the whole group, once more.
      signalGroup(running.pid!, 'SIGKILL');
    },
    kill() {
      if (child?.pid) signalGroup(child.pid, 'SIGKILL');
    },
  };
}

/** One health probe: GET /api/health answers 200 within `timeoutMs`, on a fresh connection. */
export function probe(url: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(`${url}/api/health`, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}
