/**
 * Signing out (lib/auth/sign-out.ts) with what a hostile Cookie header can carry: a forged access
 * token naming someone else's session ends nothing, and stuffed refresh values buy a bounded number of
 * lookups (ASVS 7.4.1 logout, 7.2.1 tokens verified before use).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { useTestDatabase } from '../helpers/database';
import { meta, signedInUser } from '../helpers/fixtures';
import { db } from '../../lib/db/client';
import { signOut } from '../../lib/auth/sign-out';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from '../../lib/tokens/access-token';
import { generateRefreshToken } from '../../lib/tokens/refresh-token';

useTestDatabase();

/** The kid the app signs with (tests/helpers/integration-setup.ts configured it): the first pair's. */
const signingKid = process.env.ACCESS_TOKEN_KEYS!.split(',')[0].split(':')[0];

describe('signOut', () => {
  // The access token is verified before the session it names is ended.
  test('logout with a forged access token naming someone else’s session ends no session (no sign-out of others)', async () => {
    const victim = await signedInUser();
    const [header, payload, signature] = victim.accessToken.split('.');
    const unsigned = new SignJWT({ sid: victim.session.id, email: victim.user.email })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: signingKid })
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setSubject(victim.user.id)
      .setJti('forged')
      .setIssuedAt()
      .setExpirationTime('5m');
    const forgedTokens = [
      await unsigned.sign(randomBytes(32)), // another secret under the real kid
      `${header}.${payload}.${signature.slice(0, -4)}${signature.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`, // the victim's claims, a broken signature
    ];
    for (const accessToken of forgedTokens) {
      await signOut({ accessToken }, meta);
      assert.equal((await db().session.findUniqueOrThrow({ where: { id: victim.session.id } })).revokedAt, null);
    }
  });

  // At most MAX_REFRESH_VALUES (16) refresh values are looked up.
  test('a Cookie header stuffed with refresh values buys at most 16 lookups', async () => {
    const { session, refreshToken } = await signedInUser();
    const stuffing = Array.from({ length: 16 }, () => generateRefreshToken());
    await signOut({ refreshToken: [...stuffing, refreshToken] }, meta);
    assert.equal(
      (await db().session.findUniqueOrThrow({ where: { id: session.id } })).revokedAt,
      null,
      'the 17th value was looked up',
    );
    await signOut({ refreshToken: [refreshToken] }, meta);
    assert.notEqual((await db().session.findUniqueOrThrow({ where: { id: session.id } })).revokedAt, null);
  });
});
