/**
 * GET /api/me/active, the stateful read: the premise side by side in one handler's tests. After logout
 * a copied access token still passes the stateless check (what GET /api/me answers from) until it
 * expires, but the session-row check refuses it at once. The proxy does not run for APIs, so this
 * handler is the only gate and is called here with nothing in front of it.
 */
// database: sqlite-only — the session-row check is a read by id; the rotation and sign-out it follows are proven on PostgreSQL elsewhere
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';
import { signedInUser } from '../helpers/fixtures';
import { apiRequest } from '../helpers/http';
import { verifySession } from '../../lib/dal';
import { cookieNames } from '../../lib/tokens/cookies';
import { revokeSession } from '../../lib/session/session-store';
import { GET as activeSession } from '../../app/api/me/active/route';

useTestDatabase();

const withToken = (token?: string) =>
  apiRequest('/api/me/active', { method: 'GET', origin: undefined, cookies: token ? { [cookieNames().access]: token } : {} });

async function assertRefused(response: Response) {
  assert.equal(response.status, 401);
  assert.deepEqual(await response.json(), { error: 'Not signed in' });
  assert.equal(response.headers.get('www-authenticate'), 'Cookie realm="app"');
  assert.equal(response.headers.get('cache-control'), 'no-store');
}

describe('GET /api/me/active (the session-row check)', () => {
  test('answers with the user and the live session', async () => {
    const alice = await signedInUser();
    const response = await activeSession(withToken(alice.accessToken));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const body = await response.json();
    assert.deepEqual(body.user, { id: alice.user.id, email: alice.user.email });
    assert.equal(body.session.id, alice.session.id);
    assert.equal(body.session.expiresAt, alice.session.expiresAt.toISOString());
  });

  test('a copied token after logout: the stateless read still accepts it, this check refuses it at once', async () => {
    const alice = await signedInUser();
    await revokeSession(alice.session.id, 'logout');
    const jar = withToken(alice.accessToken).cookies;
    assert.equal((await verifySession({ cookies: jar }))?.sessionId, alice.session.id, 'the stateless tier trusts the token until it expires');
    await assertRefused(await activeSession(withToken(alice.accessToken)));
  });

  test('without a token, or with a forged one, it refuses on its own (no proxy in front of APIs)', async () => {
    const alice = await signedInUser();
    await assertRefused(await activeSession(withToken()));
    await assertRefused(await activeSession(withToken(alice.accessToken.slice(0, -4) + 'AAAA')));
  });
});
