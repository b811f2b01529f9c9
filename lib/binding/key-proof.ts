/**
 * The fallback tier's proof, for browsers without DBSC: the page holds a non-extractable P-256 key
 * (WebCrypto) and signs a short DPoP proof (RFC 9449 4.2) for each renewal: `typ: dpop+jwt`, its public
 * key in the header, and `jti`, `htm`, `htu`, `iat` and the server's `nonce` in the claims. Checked as
 * RFC 9449 4.3 says, against the key the session registered. Pure: that the nonce is the session's
 * current one, used once, is the caller's conditional update.
 * Why: docs/decisions/0100-binding-proofs-verified-as-typed-results.md.
 */
import { importPublicKey, jwkThumbprint, parsePublicJwk, type P256PublicJwk } from './public-key';
import { readProofHeader, stringClaim, verifyProofSignature, type ProofFailure } from './proof-jwt';

export const KEY_PROOF_TYPE = 'dpop+jwt';

/**
 * How far `iat` may lie from the server's clock (RFC 9449 11.1: a window of seconds to minutes). The
 * page corrects its clock by the server's `Date` before signing; the nonce, not `iat`, is what makes a
 * proof single-use.
 */
export const KEY_PROOF_MAX_AGE_SECONDS = 60;
export const KEY_PROOF_MAX_FUTURE_SECONDS = 60;

/** `jti` length: at least 16 characters (a random value, RFC 9449 4.2 asks for 96 bits), at most 128. */
const JTI = { min: 16, max: 128 };

export type KeyProofFailure =
  | ProofFailure
  /** A claim RFC 9449 4.2 requires is absent or not of its type (`jti`, `htm`, `htu`, `iat`, `nonce`). */
  | 'missing_claim'
  /** `htm` is not the request's method. */
  | 'wrong_method'
  /** `htu` is not the URL the request was sent to (query and fragment ignored: RFC 9449 4.3). */
  | 'wrong_url'
  /** `iat` outside the window. */
  | 'stale'
  /** Not the nonce the server handed out for this session. */
  | 'wrong_nonce'
  /** Signed by a key other than the session's. */
  | 'wrong_key';

export type KeyProofExpectation = {
  /** The request's method, as sent (`POST`). */
  method: string;
  /** The URL as the browser addressed it: the app's public origin and the path, never the Host header's say. */
  url: string;
  now: Date;
  /** The session's current server nonce; omitted only where none was handed out yet (sign-in). */
  nonce?: string;
  /** The session's registered key; omitted at sign-in, where the proof registers its own. */
  key?: P256PublicJwk;
};

export type KeyProof =
  | { ok: true; jti: string; issuedAt: Date; publicKey: P256PublicJwk; thumbprint: string }
  | { ok: false; reason: KeyProofFailure };

export async function verifyKeyProof(token: unknown, expected: KeyProofExpectation): Promise<KeyProof> {
  const read = readProofHeader(token, KEY_PROOF_TYPE);
  if (!read.ok) return read;
  const embedded = parsePublicJwk(read.header.jwk);
  if (!embedded) return { ok: false, reason: 'bad_key' };
  if (expected.key && (embedded.x !== expected.key.x || embedded.y !== expected.key.y)) return { ok: false, reason: 'wrong_key' };
  const key = await importPublicKey(expected.key ?? embedded);
  if (!key) return { ok: false, reason: 'bad_key' };
  const verified = await verifyProofSignature(token as string, key);
  if (!verified.ok) return verified;
  const { claims } = verified;

  const jti = stringClaim(claims, 'jti', JTI.max);
  const htm = stringClaim(claims, 'htm', 16);
  const htu = stringClaim(claims, 'htu', 1024);
  const iat = claims.iat;
  if (!jti || jti.length < JTI.min || !htm || !htu || typeof iat !== 'number' || !Number.isFinite(iat)) {
    return { ok: false, reason: 'missing_claim' };
  }
  if (htm !== expected.method) return { ok: false, reason: 'wrong_method' };
  if (!sameTarget(htu, expected.url)) return { ok: false, reason: 'wrong_url' };
  const nowSeconds = expected.now.getTime() / 1000;
  if (iat < nowSeconds - KEY_PROOF_MAX_AGE_SECONDS || iat > nowSeconds + KEY_PROOF_MAX_FUTURE_SECONDS) {
    return { ok: false, reason: 'stale' };
  }
  if (expected.nonce !== undefined) {
    const nonce = stringClaim(claims, 'nonce');
    if (!nonce) return { ok: false, reason: 'missing_claim' };
    if (nonce !== expected.nonce) return { ok: false, reason: 'wrong_nonce' };
  }
  const publicKey = expected.key ?? embedded;
  return { ok: true, jti, issuedAt: new Date(iat * 1000), publicKey, thumbprint: await jwkThumbprint(publicKey) };
}

/** RFC 9449 4.3: the same scheme, host, port and path; query and fragment are not compared. */
function sameTarget(htu: string, expected: string): boolean {
  const a = parseHttpUrl(htu);
  const b = parseHttpUrl(expected);
  return a !== null && b !== null && a.origin === b.origin && a.pathname === b.pathname;
}

function parseHttpUrl(value: string): URL | null {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : null;
  } catch {
    return null;
  }
}
