/**
 * What both binding proofs share: a compact JWS signed with ES256 by the session's key, read as a
 * typed result and never thrown for bad input. The size, the shape, the algorithm (ES256 pinned, so
 * `none` and an HS256 "signed" with the public key are refused before any key is used: RFC 8725 3.1)
 * and the `typ` are checked before the signature; the claims after it. Pure, no database.
 * Why: docs/decisions/0100-binding-proofs-verified-as-typed-results.md.
 */
import { compactVerify, decodeProtectedHeader, type ProtectedHeaderParameters } from 'jose';

/**
 * The longest proof read at all. An ES256 proof with its embedded key and this app's URLs is under
 * 1,000 characters; anything far longer is refused before it is decoded.
 */
export const MAX_PROOF_LENGTH = 2048;

export const PROOF_ALGORITHM = 'ES256';

export type ProofFailure =
  /** Longer than MAX_PROOF_LENGTH. */
  | 'too_large'
  /** Not a compact JWS with a JSON header and a JSON-object payload, or a `crit` header. */
  | 'malformed'
  /** `alg` is anything but ES256 (`none`, HS256, RS256, ES384 ...). */
  | 'wrong_algorithm'
  /** `typ` is not the one this proof must carry. */
  | 'wrong_type'
  /** The embedded or stored key is not a usable P-256 public key, or a key is where none may be. */
  | 'bad_key'
  /** The signature does not verify with the key. */
  | 'bad_signature';

export type ReadProof =
  | { ok: true; header: ProtectedHeaderParameters; claims: Record<string, unknown> }
  | { ok: false; reason: ProofFailure };

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** The protected header, if `token` is a proof of type `typ` signed with ES256; nothing is verified yet. */
export function readProofHeader(
  token: unknown,
  typ: string,
): { ok: true; header: ProtectedHeaderParameters } | { ok: false; reason: ProofFailure } {
  if (typeof token !== 'string') return { ok: false, reason: 'malformed' };
  if (token.length > MAX_PROOF_LENGTH) return { ok: false, reason: 'too_large' };
  let header: ProtectedHeaderParameters;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (header.alg !== PROOF_ALGORITHM) return { ok: false, reason: 'wrong_algorithm' };
  if (header.typ !== typ) return { ok: false, reason: 'wrong_type' };
  if (header.crit !== undefined || !COMPACT_JWS.test(token)) return { ok: false, reason: 'malformed' };
  return { ok: true, header };
}

/** Verifies the signature with `key` (ES256 only) and returns the claims, a JSON object. */
export async function verifyProofSignature(token: string, key: CryptoKey): Promise<ReadProof> {
  let verified: Awaited<ReturnType<typeof compactVerify>>;
  try {
    verified = await compactVerify(token, key, { algorithms: [PROOF_ALGORITHM] });
  } catch {
    return { ok: false, reason: 'bad_signature' };
  }
  let claims: unknown;
  try {
    claims = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(verified.payload));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return { ok: false, reason: 'malformed' };
  return { ok: true, header: verified.protectedHeader, claims: claims as Record<string, unknown> };
}

/** A claim that must be a non-empty string of at most `max` characters, else undefined. */
export function stringClaim(claims: Record<string, unknown>, name: string, max = 256): string | undefined {
  const value = claims[name];
  return typeof value === 'string' && value.length > 0 && value.length <= max ? value : undefined;
}
