/**
 * GET /api/health, the liveness answer load balancers call: it must answer without a database, without
 * a session, and never be cached (a cached "ok" would keep a dead instance in rotation).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

// No DATABASE_URL and no usable database: liveness must not depend on them.
process.env.DATABASE_URL = 'file:/nonexistent-directory/never-opened.db';

const { GET } = await import('../../app/api/health/route');

test('answers ok with no database and no cookies, and is never cached', async () => {
  const response = await GET();
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { status: 'ok' });
  assert.equal(response.headers.get('cache-control'), 'no-store');
  assert.equal(response.headers.get('set-cookie'), null);
});
