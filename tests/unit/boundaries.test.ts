/**
 * The architecture's boundaries, checked on the static import graph (tests/helpers/module-graph.ts):
 * - the proxy is stateless: it imports the modules on PROXY_ALLOWLIST and nothing else of ours, and no database,
 *   password-hashing or Node-only package (the premise: verifying an access token needs no lookup);
 * - browser code reaches no server module: nothing `server-only`, no database, no secret;
 * - every module that can reach the database is marked `server-only`, so a client import of it fails
 *   the build instead of shipping;
 * - every server action goes through the one checked path (lib/sensitive-actions/checked-action.ts).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { directImports, isClientModule, isServerActionModule, moduleGraph, ROOT } from '../helpers/module-graph';

/**
 * What the proxy may import, by name: configuration, the token checks and the request rules, none of
 * which touches the database. A module added here must itself import only modules on this list.
 */
export const PROXY_ALLOWLIST = new Set([
  'lib/config/config.ts',
  'lib/config/database-url.ts',
  'lib/request/fetch-metadata.ts',
  'lib/request/origin.ts',
  'lib/request/redirects.ts',
  'lib/request/request-context.ts',
  'lib/request/security-headers.ts',
  'lib/request/server-actions.ts',
  'lib/request/speculative-request.ts',
  'lib/request/static-headers.js',
  'lib/request/trusted-proxy.ts',
  'lib/tokens/access-token.ts',
  'lib/tokens/cookies.ts',
  'lib/tokens/duplicate-cookies.ts',
  'lib/tokens/read-check.ts',
]);
/** What the proxy's code may import from packages: the framework, the JWT library, the validator. */
const PROXY_PACKAGES = new Set(['next', 'jose', 'zod']);
const DATABASE = (file: string) => file === 'lib/db/client.ts' || file.startsWith('lib/generated/');
const DATABASE_PACKAGES = ['@prisma/client', '@prisma/adapter-better-sqlite3', 'better-sqlite3', 'prisma', 'argon2'];

const trackedSources = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '*.ts', '*.tsx'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n')
  .filter((f) => f && !f.startsWith('lib/generated/') && !f.startsWith('node_modules/'));

describe('the proxy is stateless: it imports the allowlisted modules only', () => {
  const graph = moduleGraph(['proxy.ts']);

  test('every project module the proxy reaches is on the allowlist', () => {
    const outside = [...graph.files].filter((f) => f !== 'proxy.ts' && !PROXY_ALLOWLIST.has(f));
    assert.deepEqual(outside, []);
  });

  test('the proxy reaches no package beyond next, jose and zod (no database, no argon2)', () => {
    assert.deepEqual([...graph.packages].filter((p) => !PROXY_PACKAGES.has(p)), []);
  });

  test('allowlisted modules import nothing off the allowlist', () => {
    const reached = moduleGraph([...PROXY_ALLOWLIST]);
    assert.deepEqual([...reached.files].filter((f) => !PROXY_ALLOWLIST.has(f)), []);
  });

  test('the check does see the database where it is reachable', () => {
    assert.ok([...moduleGraph(['lib/dal.ts']).files].some(DATABASE));
    const action = moduleGraph(['lib/sensitive-actions/checked-action.ts']);
    assert.ok([...action.files].some(DATABASE) && DATABASE_PACKAGES.some((p) => action.packages.has(p)));
  });
});

describe('browser code reaches no server module', () => {
  const clientEntries = trackedSources.filter(isClientModule);
  // A client module may import a `'use server'` module: it receives references, not the code.
  const graph = moduleGraph(clientEntries, isServerActionModule);

  test('there are client modules to check', () => {
    assert.ok(clientEntries.includes('lib/client/use-sensitive-action.ts'));
    assert.ok(clientEntries.some((f) => f.startsWith('app/')));
  });

  test('no server-only, database, or Node built-in module is reachable from a client module', () => {
    const serverFiles = [...graph.files].filter(
      (f) => DATABASE(f) || (!isServerActionModule(f) && /import 'server-only'/.test(readFileSync(path.join(ROOT, f), 'utf8'))),
    );
    assert.deepEqual(serverFiles, []);
    const serverPackages = [...graph.packages].filter((p) => p === 'server-only' || p.startsWith('node:') || DATABASE_PACKAGES.includes(p));
    assert.deepEqual(serverPackages, []);
  });

  test('browser code does not bundle zod: its eval feature probe is refused by the CSP', () => {
    assert.ok(!graph.packages.has('zod'), 'a client module imports zod at run time (directly or through a shared module)');
  });

  test('client hooks live in lib/client/: every client module under lib/ is there', () => {
    assert.deepEqual(
      clientEntries.filter((f) => f.startsWith('lib/') && !f.startsWith('lib/client/')),
      [],
    );
  });
});

describe('server-only marking', () => {
  test('every lib/ module that reaches the database says `server-only`', () => {
    const unmarked = trackedSources
      .filter((f) => f.startsWith('lib/') && !DATABASE(f) && f !== 'lib/db/sqlite-adapter.ts')
      .filter((f) => [...moduleGraph([f]).files].some(DATABASE))
      .filter((f) => !/^import 'server-only';$/m.test(readFileSync(path.join(ROOT, f), 'utf8')));
    assert.deepEqual(unmarked, []);
  });
});

describe('every server action goes through the one checked path', () => {
  const actionModules = trackedSources.filter((f) => f.startsWith('app/') && isServerActionModule(f));

  test('each export of a `use server` module is made by sensitiveAction(...)', () => {
    assert.ok(actionModules.length >= 2);
    for (const file of actionModules) {
      const source = readFileSync(path.join(ROOT, file), 'utf8');
      const exports = [...source.matchAll(/^export\s+(?:async\s+)?(?:const|function|let|var)\s+(\w+)(.*)$/gm)];
      assert.ok(exports.length > 0, `${file} exports actions`);
      for (const [line, name, rest] of exports) {
        assert.match(rest, /^\s*=\s*sensitiveAction\(/, `${file}: ${name} must be created by sensitiveAction (${line.trim()})`);
      }
      assert.match(source, /from '@\/lib\/sensitive-actions\/checked-action'/);
    }
  });
});

/**
 * lib/ in layers, lowest first: a module may import its own layer or a lower one, never a higher one,
 * so each concept can be read (and copied) with only what sits beneath it. Browser hooks sit on top:
 * they receive server actions' results, whose types live below them. lib/auth/user.ts, the signed-in
 * user's type, imports nothing and is used from the token cookies up: it sits in the lowest layer.
 */
const LAYERS: string[][] = [
  ['lib/format/', 'lib/forms/', 'lib/auth/user.ts'],
  ['lib/config/', 'lib/request/', 'lib/tokens/'],
  ['lib/binding/'],
  ['lib/db/'],
  ['lib/limits/', 'lib/audit/', 'lib/route/'],
  ['lib/session/'],
  ['lib/auth/', 'lib/payments/', 'lib/dal.ts'],
  ['lib/sensitive-actions/'],
  ['lib/lab/', 'lib/housekeeping.ts', 'lib/startup.ts'],
  ['lib/client/'],
];
const layerOf = (file: string): number => LAYERS.findIndex((layer) => layer.some((prefix) => file.startsWith(prefix)));

describe('lib/ is layered: no import runs back up, and there is no cycle', () => {
  const libModules = trackedSources.filter((f) => f.startsWith('lib/'));

  test('every lib/ module belongs to a layer', () => {
    assert.deepEqual(libModules.filter((f) => layerOf(f) === -1), []);
  });

  test('no lib/ module imports a module from a higher layer', () => {
    const upward = libModules.flatMap((file) =>
      [...directImports(file)]
        .filter((target) => target.startsWith('lib/') && !DATABASE(target) && layerOf(target) > layerOf(file))
        .map((target) => `${file} -> ${target}`),
    );
    assert.deepEqual(upward, []);
  });

  test('no import cycle among project modules', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, trail: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...trail.slice(trail.indexOf(file)), file].join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const next of directImports(file)) if (!DATABASE(next)) visit(next, [...trail, file]);
      state.set(file, 'done');
    };
    for (const file of trackedSources.filter((f) => f.startsWith('lib/') || f.startsWith('app/'))) visit(file, []);
    assert.deepEqual(cycles, []);
  });
});
