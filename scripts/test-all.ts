/**
 * `npm test`: every suite, one step after another, stopping at the first that fails. After each step it
 * prints how long the step took and how busy the machine's cores were meanwhile, and at the end a table
 * of all steps: where the time of a run goes, and whether a step left cores idle (the figures behind
 * README's "How long npm test takes").
 *
 * Busy time is the whole machine's (`os.cpus()`), not only the step's processes: servers a step starts
 * count, and so does anything else running on the machine at the time.
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { busyShare, cpuSnapshot, formatStepTable, type StepTiming } from './lib/step-timing';

const STEPS: { name: string; args: string[] }[] = [
  { name: 'test:unit', args: [] },
  { name: 'test:integration', args: [] },
  { name: 'test:postgres', args: [] },
  // The end-to-end suite builds the app with the benchmark's routes, so the next two steps reuse it.
  { name: 'test:e2e', args: ['--bench-build'] },
  { name: 'bench', args: ['--quick'] },
  { name: 'test:cluster', args: ['--reuse-build'] },
];

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const timings: StepTiming[] = [];
for (const step of STEPS) {
  const before = cpuSnapshot(cpus());
  const startedAt = performance.now();
  const result = spawnSync(npm, ['run', step.name, ...(step.args.length > 0 ? ['--', ...step.args] : [])], { stdio: 'inherit' });
  const timing = { step: step.name, seconds: (performance.now() - startedAt) / 1000, ...busyShare(before, cpuSnapshot(cpus())) };
  timings.push(timing);
  console.log(`\nnpm test: ${step.name} took ${timing.seconds.toFixed(0)} s, cores ${(timing.busy * 100).toFixed(0)}% busy`);
  if (result.status !== 0) {
    console.log(formatStepTable(timings, cpus().length));
    console.log(`npm test: ${step.name} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}
console.log(formatStepTable(timings, cpus().length));
