/**
 * The repository stands alone: a clone carries no pointer a reader cannot follow. Numbers of an
 * issue tracker the clone does not include ("see issue N, finding M") and files from a folder beside
 * the checkout (a relative `shared` folder, its stack notes) mean nothing to someone who only has
 * the clone; the code, comments, test names and docs say the attack or the defect itself instead.
 * Public upstream references (`owner/repo#123`, CVE ids, RFC and ASVS ids) are followable and fine.
 *
 * Pure: reads the tracked files through `git ls-files`, no database, no server.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

const root = path.resolve(import.meta.dirname, '..', '..');

// Written so that this file's own source does not match them (no word is followed by a digit).
const rules: Array<{ name: string; pattern: RegExp }> = [
  { name: 'an issue number of the tracker', pattern: new RegExp(`\\bissues?\\s+#?\\d`, 'i') },
  { name: 'a numbered finding of the tracker', pattern: new RegExp(`\\bfindings?\\s+\\d`, 'i') },
  { name: 'a numbered defect of the tracker', pattern: new RegExp(`\\bdefects?\\s+\\d`, 'i') },
  { name: 'a folder outside the repository', pattern: new RegExp(`\\.\\.[\\\\/]shared\\b`, 'i') },
  { name: 'the stack notes outside the repository', pattern: new RegExp(`\\bSTACK\\.md\\b`, 'i') },
];

// Generated, or not text a person reads: the lockfile lists registry tarballs, nothing else.
const skipped = new Set(['package-lock.json']);

type Hit = { file: string; line: number; rule: string; text: string };

/** Every line of `text` that points outside the repository, with the rule it breaks. */
function referencesIn(file: string, text: string): Hit[] {
  const hits: Hit[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const broken = rules.filter((rule) => rule.pattern.test(line)).map((rule) => rule.name);
    if (broken.length > 0) hits.push({ file, line: index + 1, rule: broken.join(', '), text: line.trim() });
  });
  return hits;
}

function isBinary(bytes: Buffer): boolean {
  return bytes.subarray(0, 8000).includes(0);
}

function trackedTextFiles(): Array<{ file: string; text: string }> {
  const listed = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' });
  return listed
    .split('\0')
    .filter((file) => file && !skipped.has(file) && existsSync(path.join(root, file)))
    .flatMap((file) => {
      const bytes = readFileSync(path.join(root, file));
      return isBinary(bytes) ? [] : [{ file, text: bytes.toString('utf8') }];
    });
}

describe('the repository stands alone', () => {
  test('the scanner recognises each kind of outside reference, and leaves public ones alone', () => {
    const join = (...parts: string[]) => parts.join(' ');
    const outside = [
      `// ${join('Issue', '8,')} ${join('finding', '3')}: the renewal hop`,
      `(${join('issue', '11,')} ${join('defects', '1')} and 2)`,
      `${join('Finding', '7')}: a per-client-IP limit`,
      `see ${['..', 'shared', 'STACK'].join('/')}.md`,
      `the engine version (see ${'STACK'}.md)`,
    ];
    for (const line of outside) {
      assert.equal(referencesIn('sample.ts', line).length > 0, true, `not recognised: ${line}`);
    }
    const publicOnes = [
      'see supabase/auth-js#213 and vercel/next.js#38128',
      'CVE-2025-29927, RFC 9700 4.14.2, ASVS 7.2.4',
      'the second attack review, finding by finding',
      'a shared secret, a defect in the parser',
    ];
    for (const line of publicOnes) {
      assert.deepEqual(referencesIn('sample.ts', line), [], `wrongly flagged: ${line}`);
    }
  });

  test('no tracked file points at the issue tracker or at files outside the repository', () => {
    const files = trackedTextFiles();
    assert.ok(files.some((f) => f.file === 'README.md'), 'git ls-files found the repository files');
    const hits = files.flatMap(({ file, text }) => referencesIn(file, text));
    assert.deepEqual(
      hits.map((h) => `${h.file}:${h.line}: ${h.rule}: ${h.text}`),
      [],
      'say the attack or the defect itself instead of a tracker number or an outside file',
    );
  });
});
