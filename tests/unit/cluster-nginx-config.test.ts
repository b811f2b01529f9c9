/**
 * The nginx configuration `npm run cluster` writes (scripts/lib/cluster.ts): the properties the
 * security model relies on, stated where a change to the template would break them. The cluster test
 * (tests/cluster/three-instances.test.ts) runs it for real; this checks what that run cannot easily
 * provoke, such as nginx never passing a POST on to a second instance.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nginxConfig, requireSharedPostgres, requireSharedSigningKey } from '../../scripts/lib/cluster';

const config = nginxConfig({
  directory: '/tmp/cluster-x',
  port: 8080,
  proxyAddress: '127.0.0.2',
  generation: 7,
  upstreams: [
    { port: 3001, inService: true },
    { port: 3002, inService: false },
    { port: 3003, inService: true },
  ],
});
const directives = (name: string) =>
  config.split('\n').map((l) => l.trim()).filter((l) => l.startsWith(`${name} `) && !l.endsWith('{'));

describe('the cluster\'s nginx configuration', () => {
  test('an instance the health check failed is marked down; the others keep passive checks', () => {
    assert.deepEqual(directives('server'), [
      'server 127.0.0.1:3001 max_fails=1 fail_timeout=5s;',
      'server 127.0.0.1:3002 max_fails=1 fail_timeout=5s down;',
      'server 127.0.0.1:3003 max_fails=1 fail_timeout=5s;',
    ]);
  });

  test('upstream connections come from the address the instances trust, with X-Forwarded-For set (not appended)', () => {
    assert.deepEqual(directives('proxy_bind'), ['proxy_bind 127.0.0.2;']);
    assert.deepEqual(directives('proxy_set_header').filter((d) => d.includes('X-Forwarded-For')), ['proxy_set_header X-Forwarded-For $remote_addr;']);
  });

  test('a non-idempotent request (a payment, a refresh) is never passed on to a second instance', () => {
    const retries = directives('proxy_next_upstream');
    assert.ok(retries.length > 0 && retries.every((d) => !d.includes('non_idempotent')), retries.join());
  });

  test('everything nginx writes stays in its own directory, and the configuration says which generation it is', () => {
    for (const name of ['pid', 'error_log', 'access_log', 'client_body_temp_path', 'proxy_temp_path']) {
      assert.ok(directives(name).every((d) => d.split(' ')[1]!.startsWith('/tmp/cluster-x/')), name);
    }
    assert.match(config, /return 200 "7";/);
  });
});

describe('what the cluster refuses to start with', () => {
  test('SQLite, or no database: the instances must share a PostgreSQL server', () => {
    assert.throws(() => requireSharedPostgres({ DATABASE_URL: 'file:./prisma/dev.db' }), /needs a shared PostgreSQL/);
    assert.throws(() => requireSharedPostgres({}), /needs a shared PostgreSQL/);
    assert.doesNotThrow(() => requireSharedPostgres({ DATABASE_URL: 'postgresql://u:p@db:5432/sessions' }));
  });

  test('no signing key in the environment: every instance needs the same one', () => {
    assert.throws(() => requireSharedSigningKey({}), /ACCESS_TOKEN_KEYS/);
    assert.doesNotThrow(() => requireSharedSigningKey({ ACCESS_TOKEN_KEYS: 'k1:abc' }));
  });
});
