/**
 * Ending a child started with `detached: true`, which makes it the leader of its own process group:
 * signalling the group (a negative pid) also reaches what the child forked, such as the `next-server`
 * that `next start` starts.
 */
import type { ChildProcess } from 'node:child_process';

/** `signal` to the whole group; nothing if it is already gone. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export const hasExited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** `signal` to the child's group, SIGKILL after 5 s if it is still there; resolves once the child exited. */
export async function endGroup(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  signalGroup(child.pid!, signal);
  const timer = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
