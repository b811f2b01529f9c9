/**
 * The benchmark's routes (app/probe/) and the proxy's lines for them are in a build only when
 * `BENCH_ROUTES=1 next build` asks for them (next.config.js `benchRouteOptions`). Proven here on the
 * configuration and the file names; a real build of each kind was checked by hand
 * (docs/decisions/0021-benchmark-routes-only-in-a-bench-build.md says how).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';

delete process.env.BENCH_ROUTES;
const { default: nextConfig, benchRouteOptions } = await import('../../next.config.js');
const { BENCH_BUILD_ENV, isBenchBuild } = await import('../../scripts/bench/bench-build');

const ROOT = path.resolve(import.meta.dirname, '../..');
const DEFAULT_EXTENSIONS = ['tsx', 'ts', 'jsx', 'js'];

/** Every file under `dir`, relative to the repository. */
function filesUnder(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(ROOT, path.join(entry.parentPath, entry.name)));
}

/** Whether Next.js takes `file` for a route or page with these page extensions. */
const isRouteFile = (file: string, extensions: string[]) =>
  extensions.some((ext) => ['route', 'page'].some((name) => path.basename(file) === `${name}.${ext}`));

describe('a default build has no benchmark routes', () => {
  test('the configuration loaded without BENCH_ROUTES keeps Next.js\'s own page extensions and fixes the switch off', () => {
    assert.deepEqual(nextConfig.pageExtensions, DEFAULT_EXTENSIONS);
    assert.deepEqual(nextConfig.compiler?.defineServer, { 'process.env.BENCH_ROUTES': '' });
  });

  test('every file under app/probe/ is a `.bench.ts` file, so no default extension makes it a route', () => {
    const probes = filesUnder('app/probe');
    assert.deepEqual(probes.sort(), ['app/probe/pass-through/route.bench.ts', 'app/probe/public/route.bench.ts', 'app/probe/signed-in/route.bench.ts']);
    for (const file of probes) {
      assert.equal(isRouteFile(file, DEFAULT_EXTENSIONS), false, file);
      assert.equal(isRouteFile(file, benchRouteOptions('1').pageExtensions), true, file);
    }
  });

  test('no other `.bench.ts` file sits under app/: the switch adds the benchmark routes and nothing else', () => {
    assert.deepEqual(filesUnder('app').filter((f) => f.endsWith('.bench.ts') && !f.startsWith('app/probe/')), []);
  });

  test('only the exact value 1 switches it on', () => {
    for (const value of [undefined, '', '0', 'true', 'yes', ' 1']) {
      assert.deepEqual(benchRouteOptions(value).pageExtensions, DEFAULT_EXTENSIONS, String(value));
      assert.equal(benchRouteOptions(value).compiler.defineServer['process.env.BENCH_ROUTES'], '', String(value));
    }
  });
});

describe('a bench build has them', () => {
  test('BENCH_ROUTES=1 adds the `bench.ts` extension and fixes the switch on in the server bundles', () => {
    assert.deepEqual(benchRouteOptions('1'), {
      pageExtensions: [...DEFAULT_EXTENSIONS, 'bench.ts'],
      compiler: { defineServer: { 'process.env.BENCH_ROUTES': '1' } },
    });
  });

  test('the proxy reads the very name the build defines, as the string it is written as', () => {
    const source = readFileSync(path.join(ROOT, 'proxy.ts'), 'utf8');
    assert.match(source, /process\.env\.BENCH_ROUTES === '1'/);
  });
});

describe('npm run bench measures a bench build only', () => {
  test('it builds with the switch on, and takes a saved build for one only when its saved configuration says so', () => {
    assert.deepEqual(benchRouteOptions(BENCH_BUILD_ENV.BENCH_ROUTES), benchRouteOptions('1'));
    const distDir = mkdtempSync(path.join(tmpdir(), 'bench-build-'));
    try {
      assert.equal(isBenchBuild(distDir), false, 'no build');
      const save = (switchValue: string | undefined) =>
        writeFileSync(path.join(distDir, 'required-server-files.json'), JSON.stringify({ config: { ...nextConfig, ...benchRouteOptions(switchValue) } }));
      save(undefined);
      assert.equal(isBenchBuild(distDir), false, 'a default build');
      save('1');
      assert.equal(isBenchBuild(distDir), true, 'a bench build');
    } finally {
      rmSync(distDir, { recursive: true, force: true });
    }
  });
});
