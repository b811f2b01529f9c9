/**
 * How busy the machine's cores were during a step of `npm test` (scripts/test-all.ts): snapshots of
 * `os.cpus()` times before and after, and the table printed at the end of a run.
 */
import type { CpuInfo } from 'node:os';

/** Milliseconds the machine's cores spent busy and idle, summed over all cores, since boot. */
export type CpuSnapshot = { busyMs: number; idleMs: number };

export type StepTiming = {
  step: string;
  seconds: number;
  /** Busy core-seconds over the step, every core summed. */
  cpuSeconds: number;
  /** The share of the cores' time that was busy, 0 to 1. */
  busy: number;
};

export function cpuSnapshot(cores: Pick<CpuInfo, 'times'>[]): CpuSnapshot {
  let busyMs = 0;
  let idleMs = 0;
  for (const { times } of cores) {
    busyMs += times.user + times.nice + times.sys + times.irq;
    idleMs += times.idle;
  }
  return { busyMs, idleMs };
}

/** Busy core-seconds between two snapshots, and the share of all cores' time they were. */
export function busyShare(before: CpuSnapshot, after: CpuSnapshot): { cpuSeconds: number; busy: number } {
  const busyMs = Math.max(0, after.busyMs - before.busyMs);
  const totalMs = busyMs + Math.max(0, after.idleMs - before.idleMs);
  return { cpuSeconds: busyMs / 1000, busy: totalMs > 0 ? busyMs / totalMs : 0 };
}

/**
 * The run's steps as a table, with a total: wall time, busy core-seconds and the cores' busy share, and
 * the least the run could take on this many cores if every core were busy all the time (the busy
 * core-seconds over the cores): how much a step's idle cores cost, and what only less work can save.
 */
export function formatStepTable(timings: StepTiming[], coreCount: number): string {
  const seconds = timings.reduce((sum, timing) => sum + timing.seconds, 0);
  const cpuSeconds = timings.reduce((sum, timing) => sum + timing.cpuSeconds, 0);
  const rows = [
    ...timings,
    { step: 'total', seconds, cpuSeconds, busy: seconds > 0 ? cpuSeconds / (seconds * coreCount) : 0 },
  ].map((timing) => [timing.step, minutes(timing.seconds), `${timing.cpuSeconds.toFixed(0)} s`, `${(timing.busy * 100).toFixed(0)}%`]);
  const header = ['step', 'wall', `busy core-seconds (${coreCount} cores)`, 'cores busy'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd();
  return [
    '',
    'npm test, step by step (busy time is the whole machine\'s):',
    line(header),
    ...rows.map(line),
    `with every core busy all the time, this work needs at least ${minutes(cpuSeconds / coreCount)}`,
  ].join('\n');
}

function minutes(seconds: number): string {
  const whole = Math.round(seconds);
  return whole < 60 ? `${whole} s` : `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
}
