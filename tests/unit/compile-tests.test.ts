/**
 * The node suites run compiled (scripts/lib/compile-tests.ts): a compiled file must behave as the same
 * file run through tsx. Checked on a scratch project that links this repository's node_modules: a
 * module keeps its source's location, a module imported with a query is a second instance, `next/*`
 * entry points load as ES modules, a CommonJS file keeps its own `require`, and a module two entry
 * points import is one module.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { compileTests, withSourceLocation } from '../../scripts/lib/compile-tests';

const ROOT = path.resolve(import.meta.dirname, '../..');
const scratch = mkdtempSync(path.join(tmpdir(), 'compile-tests-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

test('import.meta file fields are written out as the source file\'s own, in code and not in strings', () => {
  const file = path.join(ROOT, 'tests/unit/example.test.ts');
  const code = withSourceLocation("export const a = import.meta.dirname, b = import.meta.url, c = 'import.meta.url';", file);
  const body = code.slice(0, code.indexOf('//# sourceMappingURL='));
  assert.ok(body.includes(`a = ${JSON.stringify(path.dirname(file))}`), body);
  assert.ok(body.includes(`b = ${JSON.stringify(pathToFileURL(file).href)}`), body);
  assert.ok(body.includes(`c = "import.meta.url"`), body);
});

test('a compiled file behaves as its source does under tsx', async () => {
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(scratch, 'node_modules'));
  mkdirSync(path.join(scratch, 'tests'));
  writeFileSync(path.join(scratch, 'tests/counter.ts'), 'export const instance = Symbol("counter");\nexport const seen: string[] = [];\n');
  writeFileSync(path.join(scratch, 'tests/preload.ts'), "import { seen } from './counter';\nseen.push('preload');\n");
  writeFileSync(path.join(scratch, 'tests/common.cjs'), "module.exports = { requires: typeof require('node:path').join };\n");
  writeFileSync(
    path.join(scratch, 'tests/example.test.ts'),
    [
      "import { instance, seen } from './counter';",
      "import { NextResponse } from 'next/server';",
      "import common from './common.cjs';",
      "// @ts-expect-error -- a query",
      "const second = await import('./counter.ts?second');",
      'console.log(JSON.stringify({',
      '  url: import.meta.url, dirname: import.meta.dirname,',
      '  secondInstance: second.instance !== instance, seen,',
      "  nextServer: typeof NextResponse.json === 'function',",
      '  commonJs: common.requires,',
      '}));',
    ].join('\n'),
  );
  const outdir = path.join(scratch, '.test-build');
  const compiled = await compileTests(scratch, ['tests/example.test.ts', 'tests/preload.ts'], outdir);
  const example = compiled.get(path.join(scratch, 'tests/example.test.ts'))!;
  const preload = compiled.get(path.join(scratch, 'tests/preload.ts'))!;
  assert.ok(example.startsWith(outdir) && preload.startsWith(outdir), 'every entry compiled into the output folder');
  const out = execFileSync(process.execPath, ['--conditions=react-server', '--import', pathToFileURL(preload).href, example], {
    cwd: scratch,
    encoding: 'utf8',
  });
  assert.deepEqual(JSON.parse(out), {
    url: pathToFileURL(path.join(scratch, 'tests/example.test.ts')).href,
    dirname: path.join(scratch, 'tests'),
    secondInstance: true,
    // The preload and the test share one instance of the module both import.
    seen: ['preload'],
    nextServer: true,
    // A CommonJS file keeps its own require().
    commonJs: 'function',
  });
});
