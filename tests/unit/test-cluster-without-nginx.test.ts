/**
 * `npm run test:cluster` on a machine without nginx: one line naming the install command, and the run
 * passes, so `npm test` works on a laptop; with CI=true the same is a failure, so CI cannot go green
 * without having run the cross-instance test. The check comes before any build, so this is quick.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

function testCluster(env: Record<string, string | undefined>) {
  const result = spawnSync(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'scripts/test-cluster.ts', '--reuse-build'], {
    encoding: 'utf8',
    env: { ...process.env, CI: undefined, NGINX_BINARY: '/nonexistent/nginx', ...env },
    timeout: 60_000,
  });
  return { status: result.status, lines: `${result.stdout}${result.stderr}`.trim().split('\n').filter(Boolean) };
}

test('without nginx outside CI, test:cluster says how to install it in one line and passes', () => {
  const { status, lines } = testCluster({});
  assert.equal(status, 0);
  assert.deepEqual(lines, [
    'test:cluster: nginx is not installed (/nonexistent/nginx): apt-get install -y nginx, or set NGINX_BINARY. Skipped the cross-instance test.',
  ]);
});

test('without nginx in CI, test:cluster fails instead of passing without the cross-instance test', () => {
  const { status, lines } = testCluster({ CI: 'true' });
  assert.equal(status, 1);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^test:cluster: nginx is not installed .*apt-get install -y nginx.*CI=true: failing/);
});
