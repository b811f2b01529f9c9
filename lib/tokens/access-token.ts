/**
 * Access tokens: short-lived JWTs verified with no lookup (stateless). Imports jose and the
 * configuration only, never the database, because the proxy imports it. Validation follows RFC 8725
 * and RFC 9068: HS256 pinned (3.1, ASVS 9.1.2), `iss` and `aud` (3.8, 3.9, ASVS 9.2.3), `typ: at+jwt`
 * (3.11, 3.12, ASVS 9.2.2), `exp` always, `nbf` when present, and `iat` bounding the span (ASVS 9.2.1).
 * Each rule and why: docs/decisions/0047-access-token-validation.md.
 */
import { SignJWT, jwtVerify, errors, type JWTHeaderParameters } from 'jose';
import { getConfig, type SigningKey } from '../config/config';

export const ACCESS_TOKEN_ISSUER = 'nextjs-secure-sessions';
export const ACCESS_TOKEN_AUDIENCE = 'nextjs-secure-sessions:web';
export const ACCESS_TOKEN_TYPE = 'at+jwt';
const ALGORITHM = 'HS256';

/**
 * How far in the future an `iat` may lie: the clock skew tolerated between the instance that signed a
 * token and the one verifying it. Instances run NTP; seconds are plenty, minutes would be a window.
 */
export const ISSUED_AT_CLOCK_SKEW_SECONDS = 5;

export type AccessTokenClaims = {
  userId: string;
  email: string;
  sessionId: string;
  tokenId: string;
  issuedAt: Date;
  expiresAt: Date;
};

export type AccessTokenVerification =
  | { ok: true; claims: AccessTokenClaims }
  | { ok: false; reason: 'expired' | 'invalid' };

export type SignedAccessToken = { token: string; issuedAt: Date; expiresAt: Date };

type ImportedKey = { kid: string; key: CryptoKey };
let importedKeys: Promise<Map<string, ImportedKey>> | undefined;

/** Imports each configured secret once: jose re-imports raw bytes on every call, which costs ~40%. */
function getKeys(): Promise<Map<string, ImportedKey>> {
  importedKeys ??= Promise.all(getConfig().ACCESS_TOKEN_KEYS.map(importKey)).then(
    (keys) => new Map(keys.map((k) => [k.kid, k])),
    (error: unknown) => {
      importedKeys = undefined; // a failed import is retried on the next call, not cached for good
      throw error;
    },
  );
  return importedKeys;
}

async function importKey({ kid, secret }: SigningKey): Promise<ImportedKey> {
  // A fresh Uint8Array that owns its bytes, not a view into Node's shared Buffer pool, which newer
  // typings of Web Crypto's BufferSource refuse.
  const raw = new Uint8Array(secret);
  const key = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ]);
  return { kid, key };
}

export async function signAccessToken(
  subject: { userId: string; email: string; sessionId: string },
  now: Date = new Date(),
  /** The session's own deadline: the token never outlives it (lib/tokens/issue-session-cookies.ts). */
  notAfter?: Date,
): Promise<SignedAccessToken> {
  const { ACCESS_TOKEN_TTL_SECONDS, ACCESS_TOKEN_KEYS } = getConfig();
  const signer = (await getKeys()).get(ACCESS_TOKEN_KEYS[0].kid)!;
  const issuedAt = Math.floor(now.getTime() / 1000);
  const cap = notAfter ? Math.floor(notAfter.getTime() / 1000) : Number.POSITIVE_INFINITY;
  const expiresAt = Math.max(issuedAt, Math.min(issuedAt + ACCESS_TOKEN_TTL_SECONDS, cap));
  const token = await new SignJWT({ sid: subject.sessionId, email: subject.email })
    .setProtectedHeader({ alg: ALGORITHM, typ: ACCESS_TOKEN_TYPE, kid: signer.kid })
    .setIssuer(ACCESS_TOKEN_ISSUER)
    .setAudience(ACCESS_TOKEN_AUDIENCE)
    .setSubject(subject.userId)
    .setJti(crypto.randomUUID())
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .sign(signer.key);
  return { token, issuedAt: new Date(issuedAt * 1000), expiresAt: new Date(expiresAt * 1000) };
}

/**
 * The jose options every access token is verified with. Exported so a test can run them against a raw
 * secret, where the algorithm pin is the only thing refusing HS384/HS512 (tests/unit/access-token.test.ts,
 * "the HS256 pin alone ..."): removing the pin must fail a test even though the key would refuse too.
 */
export function verificationOptions(now: Date) {
  return {
    // Which check refuses a foreign `alg` (tests/unit/access-token.test.ts, "which check refuses..."):
    // - `none`: this pin; jose's jwtVerify also refuses `none` on its own, pin or not.
    // - HS384 / HS512 signed with the right secret: this pin, and independently the key, imported
    //   for HMAC with SHA-256 only (jose refuses a CryptoKey whose hash does not match the `alg`).
    // - RS*, PS*, ES*, EdDSA: this pin, and the HMAC key, which cannot verify them.
    // Each layer alone would do. The pin stays so the guarantee does not hang on how keys are imported
    // (a raw secret instead of the CryptoKey would verify HS384/HS512 without it).
    algorithms: [ALGORITHM],
    issuer: ACCESS_TOKEN_ISSUER,
    audience: ACCESS_TOKEN_AUDIENCE,
    typ: ACCESS_TOKEN_TYPE,
    requiredClaims: ['sub', 'sid', 'jti', 'iat', 'exp'],
    currentDate: now,
  };
}

const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value !== '';

/**
 * Verifies signature first (ASVS 9.1.1), then claims. Never throws: any failure is `invalid`, except
 * a well-signed token past its `exp`, which is `expired` so callers can offer a silent refresh.
 */
export async function verifyAccessToken(
  token: string,
  now: Date = new Date(),
): Promise<AccessTokenVerification> {
  try {
    const keys = await getKeys();
    const { payload } = await jwtVerify(
      token,
      (header: JWTHeaderParameters) => {
        const match = header.kid === undefined ? undefined : keys.get(header.kid);
        if (!match) throw new errors.JWKSNoMatchingKey();
        return match.key;
      },
      verificationOptions(now),
    );
    const { sub, sid, jti, iat, exp, email } = payload;
    // jose checks the type of `iss`, `aud` and the dates, not of `sub` or `jti`: without these checks a
    // well-signed `"sub": true` or `"jti": 5` came back as claims typed `string` (found by
    // tests/unit/access-token-fuzz.test.ts). Every identity claim is a non-empty string or the token is invalid.
    if (!isNonEmptyString(sub) || !isNonEmptyString(sid) || !isNonEmptyString(email) || !isNonEmptyString(jti) || !iat || !exp) {
      return { ok: false, reason: 'invalid' };
    }
    // jose checks `iat` only with `maxTokenAge`, so without this a token "issued" next year passes
    // (tests/integration/token-attacks.test.ts). RFC 7519 4.1.6 makes `iat` the moment of issue and
    // this app never sets `nbf`, so `iat` is where the validity span starts (ASVS 9.2.1): a later one
    // came from a signer with a wrong clock or from someone holding a key, and is refused.
    const nowSeconds = Math.floor(now.getTime() / 1000);
    if (iat > nowSeconds + ISSUED_AT_CLOCK_SKEW_SECONDS) return { ok: false, reason: 'invalid' };
    // No token is honoured longer than the configured lifetime after its issue, whatever its `exp`
    // says: lowering ACCESS_TOKEN_TTL_SECONDS bounds the tokens already out there at once. Reported as
    // `expired`, so a browser holding one simply renews.
    if (nowSeconds - iat >= getConfig().ACCESS_TOKEN_TTL_SECONDS) return { ok: false, reason: 'expired' };
    return {
      ok: true,
      claims: {
        userId: sub,
        email,
        sessionId: sid,
        tokenId: jti,
        issuedAt: new Date(iat * 1000),
        expiresAt: new Date(exp * 1000),
      },
    };
  } catch (error) {
    if (error instanceof errors.JWTExpired) return { ok: false, reason: 'expired' };
    return { ok: false, reason: 'invalid' };
  }
}
