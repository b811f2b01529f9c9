/**
 * Access tokens built by hand, the way an attacker would build them: every claim right (issuer,
 * audience, type, subject, session, expiry) unless `header` or `claims` say otherwise. Sign with the
 * app's own secret to isolate one check, or with another secret to test the signature.
 */
import { SignJWT } from 'jose';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from '../../lib/tokens/access-token';

export function forgeAccessToken(
  secret: Uint8Array,
  options: { kid: string; now?: Date; header?: Record<string, unknown>; claims?: Record<string, unknown> },
): Promise<string> {
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  return new SignJWT({
    iss: ACCESS_TOKEN_ISSUER,
    aud: ACCESS_TOKEN_AUDIENCE,
    sub: 'user-1',
    sid: 'session-1',
    email: 'alice@example.com',
    jti: 'jti-1',
    iat: nowSeconds,
    exp: nowSeconds + 300,
    ...options.claims,
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: options.kid, ...options.header } as never)
    .sign(secret);
}
