/**
 * The node test suites, as `npm run test:unit`, `npm run test:integration` and the PostgreSQL pass
 * (scripts/test-postgres.ts) run them: the files compiled once (scripts/lib/compile-tests.ts), then
 * node's test runner, two files at a time, and the compiled files removed.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { compileTests } from './compile-tests';

export type Suite = 'unit' | 'integration';

/** The integration suite's preload: each test process's own fresh database (docs/decisions/0030-unit-and-integration-tests.md). */
const PRELOAD = 'tests/helpers/integration-setup.ts';

export function suiteFiles(suite: Suite): string[] {
  const dir = path.join('tests', suite);
  return readdirSync(dir)
    .filter((file) => file.endsWith('.test.ts'))
    .sort()
    .map((file) => path.join(dir, file));
}

/** Compiles and runs `files` of `suite`; resolves to the runner's exit status. */
export async function runNodeTests(suite: Suite, files: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const root = process.cwd();
  // Inside the checkout, so the compiled files resolve its node_modules; one folder per run.
  const outdir = path.join(root, '.test-build', `${suite}-${process.pid}`);
  const cleanUp = () => rmSync(outdir, { recursive: true, force: true });
  process.once('exit', cleanUp);
  try {
    const entries = suite === 'integration' ? [...files, PRELOAD] : files;
    const compiled = await compileTests(root, entries, outdir);
    const at = (file: string) => compiled.get(path.resolve(root, file))!;
    // --liftoff-only: docs/decisions/0086-test-processes-cheaper.md.
    const flags = suite === 'integration' ? ['--liftoff-only', '--import', pathToImport(at(PRELOAD))] : [];
    const run = spawnSync(
      process.execPath,
      ['--conditions=react-server', '--enable-source-maps', ...flags, '--test', '--test-concurrency=2', ...files.map(at)],
      { stdio: 'inherit', env },
    );
    return run.status ?? 1;
  } finally {
    cleanUp();
  }
}

function pathToImport(file: string): string {
  return `./${path.relative(process.cwd(), file)}`;
}
