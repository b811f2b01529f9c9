/**
 * Static import graphs of the project's own modules, read with TypeScript's pre-processor (no build,
 * no execution). The architecture's boundaries (what the proxy may import, what reaches the browser)
 * are checked on these graphs, so a boundary crossed by one new import fails a test.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export type ModuleGraph = {
  /** Project files reached, relative to the repository root. */
  files: Set<string>;
  /** Packages reached (`next`, `@prisma/client`, `node:crypto`, ...), by package name. */
  packages: Set<string>;
};

function packageName(specifier: string): string {
  if (specifier.startsWith('node:')) return specifier;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function resolveLocal(fromFile: string, specifier: string): string | null {
  const local = specifier.startsWith('.')
    ? path.resolve(path.dirname(fromFile), specifier)
    : specifier.startsWith('@/')
      ? path.resolve(ROOT, specifier.slice(2))
      : null;
  if (!local) return null;
  // A stylesheet (a CSS module next to its page) is part of the graph but imports nothing we follow.
  if (/\.css$/.test(local)) {
    assert.ok(existsSync(local), `cannot resolve ${specifier} from ${path.relative(ROOT, fromFile)}`);
    return local;
  }
  // A plain JavaScript module is imported by its full name (lib/request/static-headers.js, shared with next.config.js).
  const resolved = ['.ts', '.tsx', '/index.ts', ''].map((ext) => local + ext).find((f) => /\.(tsx?|js)$/.test(f) && existsSync(f));
  assert.ok(resolved, `cannot resolve ${specifier} from ${path.relative(ROOT, fromFile)}`);
  return resolved;
}

/**
 * Every project file and package reachable at run time by static or dynamic imports (type-only imports
 * are left out)
 * from `entries`. `stopAt` names files whose imports are not followed (they are still listed).
 */
export function moduleGraph(entries: string[], stopAt: (file: string) => boolean = () => false): ModuleGraph {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = entries.map((entry) => path.resolve(ROOT, entry));
  while (queue.length) {
    const file = queue.pop()!;
    const relative = path.relative(ROOT, file);
    if (files.has(relative)) continue;
    files.add(relative);
    if (stopAt(relative) || !/\.(tsx?|js)$/.test(relative)) continue;
    // Type-only imports and re-exports are erased when compiled: they bring nothing along at run time.
    const source = readFileSync(file, 'utf8').replace(/^\s*(import|export)\s+type\s[^;]*;/gm, '');
    const { importedFiles } = ts.preProcessFile(source, true, true);
    for (const { fileName: specifier } of importedFiles) {
      // Stylesheets (a page's CSS module) carry no code to follow: the bundler turns them into class names.
      if (/\.css$/.test(specifier)) continue;
      const local = resolveLocal(file, specifier);
      if (local) queue.push(local);
      else packages.add(packageName(specifier));
    }
  }
  return { files, packages };
}

/**
 * The project files one module imports directly, type-only imports included: a layer that borrows a
 * higher layer's types depends on it as much as one that calls it.
 */
export function directImports(file: string): Set<string> {
  const absolute = path.resolve(ROOT, file);
  if (!/\.(tsx?|js)$/.test(file)) return new Set();
  const { importedFiles } = ts.preProcessFile(readFileSync(absolute, 'utf8'), true, true);
  const local = importedFiles
    .filter(({ fileName }) => !/\.css$/.test(fileName))
    .map(({ fileName }) => resolveLocal(absolute, fileName))
    .filter((resolved): resolved is string => resolved !== null);
  return new Set(local.map((resolved) => path.relative(ROOT, resolved)));
}

function hasDirective(file: string, directive: 'use client' | 'use server'): boolean {
  const source = readFileSync(path.resolve(ROOT, file), 'utf8');
  const prologue = source.replace(/^(\s+|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*/, '');
  return prologue.startsWith(`'${directive}'`) || prologue.startsWith(`"${directive}"`);
}

/** `'use client'`: the module and everything it imports ship to the browser. */
export const isClientModule = (file: string) => hasDirective(file, 'use client');

/** `'use server'`: a client importing it gets references to server actions, not the code. */
export const isServerActionModule = (file: string) => hasDirective(file, 'use server');
