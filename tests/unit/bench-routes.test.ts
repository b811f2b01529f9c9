/**
 * The benchmark's routes (app/probe/) and the proxy's lines for them are in a build only when
 * `BENCH_ROUTES=1 next build` asks for them (next.config.js `benchRouteOptions`). Proven here on the
 * configuration and the file names; a real build of each kind was checked by hand
 * (docs/decisions/0021-benchmark-routes-only-in-a-bench-build.md says how).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

delete process.env.BENCH_ROUTES;
const { default: nextConfig, benchRouteOptions } = await import('../../next.config.js');

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
