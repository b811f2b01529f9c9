/**
 * A session's binding key, as the server keeps it: a P-256 public key in JWK form (RFC 7517, 7518 6.2),
 * read strictly from whatever a client sent, and its RFC 7638 thumbprint. Both tiers (DBSC and the
 * WebCrypto fallback) bind a session to such a key. Pure, no database.
 * Why P-256 only: docs/decisions/0100-binding-proofs-verified-as-typed-results.md.
 */
import { calculateJwkThumbprint, importJWK } from 'jose';

/** The public members only, in a fixed shape: what is stored, compared and imported. */
export type P256PublicJwk = { kty: 'EC'; crv: 'P-256'; x: string; y: string };

/** A P-256 coordinate: 32 bytes, base64url without padding, is exactly 43 characters. */
const COORDINATE = /^[A-Za-z0-9_-]{43}$/;

/**
 * The key in `value` if it is a P-256 public JWK, else null. A private key (`d`), another curve or key
 * type, or a coordinate of the wrong length is refused; other members (`alg`, `use`, `kid`) are dropped.
 * Whether the point lies on the curve is checked when it is imported (`importPublicKey`).
 */
export function parsePublicJwk(value: unknown): P256PublicJwk | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const jwk = value as Record<string, unknown>;
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || 'd' in jwk) return null;
  if (typeof jwk.x !== 'string' || typeof jwk.y !== 'string') return null;
  if (!COORDINATE.test(jwk.x) || !COORDINATE.test(jwk.y)) return null;
  if (jwk.use !== undefined && jwk.use !== 'sig') return null;
  if (jwk.alg !== undefined && jwk.alg !== 'ES256') return null;
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
}

/** RFC 7638 SHA-256 thumbprint, base64url: the key's name in the database and in comparisons. */
export function jwkThumbprint(jwk: P256PublicJwk): Promise<string> {
  return calculateJwkThumbprint(jwk, 'sha256');
}

/** The key for verifying ES256 signatures, or null when the point is not on the curve. */
export async function importPublicKey(jwk: P256PublicJwk): Promise<CryptoKey | null> {
  try {
    const key = await importJWK(jwk, 'ES256');
    return key instanceof Uint8Array ? null : key;
  } catch {
    return null;
  }
}
