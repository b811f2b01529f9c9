/**
 * The default mode, ACCESS_TOKEN_CHECK=stateless: reads never consult a revocation list, so a copied
 * access token keeps reading after logout until it expires (the premise), at no cost per request.
 * The revocation-list mode is tested in tests/integration/revocation-list.test.ts.
 *
 *   node --conditions=react-server --import tsx --import ./tests/helpers/integration-setup.ts --test tests/integration/revocation-list-stateless.test.ts
 */
// database: sqlite-only — stateless reads never query the database; that is what it proves
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';

delete process.env.ACCESS_TOKEN_CHECK;

const { meta, signedInUser } = await import('../helpers/fixtures');
const { NextRequest } = await import('next/server');
const { proxy } = await import('../../proxy');
const { verifySession } = await import('../../lib/dal');
const { getConfig, parseConfig } = await import('../../lib/config/config');
const { cookieNames } = await import('../../lib/tokens/cookies');
const { signOut } = await import('../../lib/auth/sign-out');
const { registerRevocationList } = await import('../../lib/tokens/read-check');

useTestDatabase();

describe('ACCESS_TOKEN_CHECK', () => {
  test('defaults to stateless, accepts revocation-list, and refuses anything else at start-up', () => {
    assert.equal(getConfig().ACCESS_TOKEN_CHECK, 'stateless');
    const keys = process.env.ACCESS_TOKEN_KEYS;
    assert.equal(parseConfig({ ACCESS_TOKEN_KEYS: keys, ACCESS_TOKEN_CHECK: 'revocation-list' }).ACCESS_TOKEN_CHECK, 'revocation-list');
    assert.throws(() => parseConfig({ ACCESS_TOKEN_KEYS: keys, ACCESS_TOKEN_CHECK: 'revocation_list' }), /ACCESS_TOKEN_CHECK/);
  });
});

describe('stateless mode: the list is never consulted', () => {
  test('a copied token of a signed-out session still reads through the proxy and the data access layer, with no lookup', async () => {
    let consulted = 0;
    // Even a registered list that says "revoked" to everything is not asked in this mode.
    registerRevocationList({ isRevoked: async () => (consulted++, true) });
    const victim = await signedInUser();
    await signOut({ refreshToken: victim.refreshToken }, meta);

    const request = new NextRequest('http://localhost:3000/api/me', {
      headers: { host: 'localhost:3000', cookie: `${cookieNames().access}=${victim.accessToken}` },
    });
    assert.equal((await proxy(request)).headers.get('x-middleware-next'), '1');
    const jar = {
      get: (name: string) => (name === cookieNames().access ? { value: victim.accessToken } : undefined),
      has: () => true,
    };
    assert.equal((await verifySession({ cookies: jar }))?.sessionId, victim.session.id);
    assert.equal(consulted, 0);
  });
});
