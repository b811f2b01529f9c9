/**
 * The benchmark's baseline: a bare Next.js app (scripts/bench/bare-app/: one route handler, one dynamic
 * page) built with this repository's installed `next`. It is built outside the repository, in a folder
 * of the temporary directory named after a hash of its files and the `next` version, so a run reuses
 * the build of an earlier one and a changed fixture or upgrade builds anew. (Built inside the
 * repository, Next.js picks up the repository's own instrumentation.ts and proxy.ts: no longer bare.)
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const FIXTURE = path.resolve(import.meta.dirname, 'bare-app');

/** The scenario every ratio is taken against: the bare app's route handler. */
export const BASELINE = 'bare-route';
/** The floor for a server-rendered page: the bare app's dynamic page, what the page targets are judged against. */
export const BARE_PAGE_BASELINE = 'bare-page';

/** The bare app's two paths, as the benchmark requests them. */
export const BARE_ROUTE = '/api/health';
export const BARE_PAGE = '/dynamic';

/** Every file of the fixture, relative to it, sorted (the build output is not among them). */
function fixtureFiles(): string[] {
  return readdirSync(FIXTURE, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(FIXTURE, path.join(entry.parentPath, entry.name)))
    .filter((file) => !file.startsWith('.next'))
    .sort();
}

/**
 * The bare app with one of this app's steps added (fixed-cost.ts): files written over the fixture's,
 * and the repository files they import, so that a change to those builds it anew.
 */
export type BareStep = { name: string; files: Record<string, string>; imports: string[] };

/**
 * A hash of the fixture's files, the step's, the installed `next`, and which checkout's node_modules
 * the build links to: what the build is made from and what it runs with.
 */
export function bareAppKey(root: string, step?: BareStep): string {
  const hash = createHash('sha256');
  hash.update(`node_modules ${path.resolve(root, 'node_modules')}\0`);
  for (const file of fixtureFiles()) hash.update(`${file}\0`).update(readFileSync(path.join(FIXTURE, file))).update('\0');
  for (const [file, text] of Object.entries(step?.files ?? {})) hash.update(`step ${file}\0${text}\0`);
  for (const file of step?.imports ?? []) hash.update(`import ${file}\0`).update(readFileSync(path.join(root, file))).update('\0');
  hash.update(readFileSync(path.join(root, 'node_modules/next/package.json')));
  return hash.digest('hex').slice(0, 16);
}

/**
 * The folder of a built bare app (for `next start <folder>`), with `step` added if given, building it
 * first when no earlier run left one for these files. Built beside its final name and renamed, so a
 * build cut short is never used.
 */
export function bareAppIfNeeded(root: string, log: (line: string) => void, step?: BareStep): string {
  const folder = path.join(tmpdir(), `bench-bare-app-${step ? `${step.name.replace(/[^a-z0-9]+/gi, '-')}-` : ''}${bareAppKey(root, step)}`);
  // The build links to a checkout's node_modules: if that checkout is gone, build again.
  if (existsSync(path.join(folder, '.next/BUILD_ID')) && existsSync(path.join(folder, 'node_modules/next/package.json'))) return folder;
  rmSync(folder, { recursive: true, force: true });
  log(`The bare Next.js app${step ? ` with ${step.name}` : ' (the baseline)'}: building it in ${folder}`);
  const building = mkdtempSync(`${folder}-building-`);
  try {
    cpSync(FIXTURE, building, { recursive: true, filter: (source) => path.basename(source) !== '.next' });
    for (const [file, text] of Object.entries(step?.files ?? {})) writeFileSync(path.join(building, file), text);
    symlinkSync(path.join(root, 'node_modules'), path.join(building, 'node_modules'), 'dir');
    const result = spawnSync(process.execPath, [path.join(root, 'node_modules/next/dist/bin/next'), 'build'], {
      cwd: building,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
    });
    if (result.status !== 0) throw new Error(`next build of the bare app${step ? ` with ${step.name}` : ''} failed`);
    // A hook or a proxy only where the step adds one: a build that found the repository's would
    // measure this app, not the bare one.
    const has = (file: string) => existsSync(path.join(building, '.next/server', file));
    const adds = (file: string) => Object.hasOwn(step?.files ?? {}, file);
    if (has('instrumentation.js') !== adds('instrumentation.js') || has('middleware.js') !== adds('proxy.js')) {
      throw new Error('the bare app build has an instrumentation hook or a proxy that are not its own');
    }
    rmSync(folder, { recursive: true, force: true });
    renameSync(building, folder);
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  return folder;
}
