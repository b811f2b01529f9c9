/**
 * The node test suites compiled once per run, instead of through tsx in every test process: one
 * esbuild build of every test file (and the integration preload) with shared chunks, so a module that
 * the preload and a test both import is still one module, as it is under tsx. Packages stay external:
 * Node resolves them at run time under the same `--conditions=react-server`. Each module keeps its
 * source's `import.meta.url` and `import.meta.dirname`, so paths a test resolves from its own file
 * (the migrations folder, the worker scripts it spawns through tsx) hold. Source maps point stack
 * traces at the `.ts` files. Why: docs/decisions/0088-node-tests-compiled-once.md.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, transformSync, type Plugin } from 'esbuild';

/**
 * `next/server` and its siblings are files without an exports map in `next`'s package.json: an ES
 * module must name them with their extension (tsx resolved them without one).
 */
const NEXT_ENTRY = /^next\/[\w/-]+$/;

const sourceLocations: Plugin = {
  name: 'source-locations',
  setup(compiler) {
    compiler.onResolve({ filter: NEXT_ENTRY }, (args) => ({ path: `${args.path}.js`, external: true }));
    // A CommonJS file of the repository stays what it is: loaded by Node from where it lies, its
    // `require` calls its own (bundled into an ES module, they would fail).
    compiler.onResolve({ filter: /^\.{1,2}\/.*\.cjs$/ }, (args) => ({
      path: pathToFileURL(path.resolve(args.resolveDir, args.path)).href,
      external: true,
    }));
    // `import('./module.ts?name')`: a second instance of a module, as tsx and Node give one.
    compiler.onResolve({ filter: /^\.{1,2}\/.*\?/ }, (args) => {
      const [file, query] = args.path.split('?');
      return { path: path.resolve(args.resolveDir, file), suffix: `?${query}` };
    });
    compiler.onLoad({ filter: /\.tsx?$/ }, (args) => {
      if (args.path.split(path.sep).includes('node_modules')) return undefined;
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta')) return { contents: source, loader: args.path.endsWith('.tsx') ? 'tsx' : 'ts' };
      return { contents: withSourceLocation(source, args.path), loader: 'js' };
    });
  },
};

/**
 * TypeScript source compiled to JavaScript with `import.meta`'s file fields written out as the source
 * file's own, wherever the compiled chunk lands: replaced in code only (esbuild's `define`), never in a
 * string or a comment. An inline source map keeps stack traces pointing at the source.
 */
export function withSourceLocation(source: string, file: string): string {
  return transformSync(source, {
    loader: file.endsWith('.tsx') ? 'tsx' : 'ts',
    format: 'esm',
    target: 'node20',
    jsx: 'automatic',
    sourcefile: file,
    sourcemap: 'inline',
    define: {
      'import.meta.dirname': JSON.stringify(path.dirname(file)),
      'import.meta.filename': JSON.stringify(file),
      'import.meta.url': JSON.stringify(pathToFileURL(file).href),
    },
  }).code;
}

/**
 * Compiles `entries` (paths relative to `root`) into `outdir`, which must be inside `root` so that the
 * compiled files find `root`'s node_modules. Returns each entry's compiled file, by entry.
 */
export async function compileTests(root: string, entries: string[], outdir: string): Promise<Map<string, string>> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: entries,
    outdir,
    outbase: root,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    conditions: ['react-server'],
    jsx: 'automatic',
    sourcemap: 'linked',
    metafile: true,
    plugins: [sourceLocations],
    logLevel: 'warning',
  });
  const compiled = new Map<string, string>();
  for (const [output, { entryPoint }] of Object.entries(result.metafile.outputs)) {
    if (entryPoint) compiled.set(path.resolve(root, entryPoint), path.resolve(root, output));
  }
  return compiled;
}
