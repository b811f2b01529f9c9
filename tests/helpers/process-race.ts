/** Runs one operation in several OS processes at once, against one SQLite file. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./race-worker.ts', import.meta.url));

/**
 * Starts `count` worker processes (tests/helpers/race-worker.ts) on the calling test file's database,
 * waits until each has its connection open, then releases them together by writing one line to every
 * stdin; resolves with each one's outcomes. Several app instances sharing one database, for real.
 */
export async function raceInProcesses<T>(count: number, env: Record<string, string>): Promise<T[][]> {
  const workers = Array.from({ length: count }, () => {
    const child = spawn(process.execPath, ['--liftoff-only', '--conditions=react-server', '--import', 'tsx', WORKER], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const messages = createInterface({ input: child.stdout });
    const next = (key: 'ready' | 'outcomes') =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const onLine = (line: string) => {
          let message: Record<string, unknown>;
          try {
            message = JSON.parse(line) as Record<string, unknown>;
          } catch {
            return; // not part of the protocol (a library warning, say)
          }
          if (key in message) {
            messages.off('line', onLine);
            resolve(message);
          }
        };
        messages.on('line', onLine);
        // 'close' fires once stdout is drained, so a final line is never mistaken for a missing one.
        child.once('close', (code) => reject(new Error(`worker exited (${code}) before "${key}": ${stderr}`)));
      });
    const ready = next('ready');
    const done = next('outcomes');
    // Awaited below; these handlers only keep a worker that dies early from also raising an unhandled rejection.
    ready.catch(() => undefined);
    done.catch(() => undefined);
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    return { child, ready, done, exited, stderr: () => stderr };
  });
  try {
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.child.stdin.write('go\n');
    const results = await Promise.all(workers.map((w) => w.done));
    const codes = await Promise.all(workers.map((w) => w.exited));
    assert.deepEqual(codes, workers.map(() => 0), workers.map((w) => w.stderr()).join('\n'));
    return results.map((r) => r.outcomes as T[]);
  } finally {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill();
  }
}
