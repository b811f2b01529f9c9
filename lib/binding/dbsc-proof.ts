/**
 * The DBSC proof (W3C Device Bound Session Credentials, "DBSC Proof JWT Syntax"): a `dbsc+jwt` the
 * browser signs with the session's key. At registration its header embeds the new P-256 public key
 * (`jwk`) and its `jti` is the challenge from the Secure-Session-Registration header; at refresh the
 * header has no key and the signature is checked against the key stored at registration. Pure: whether
 * the `jti` is a live, unused challenge of this session is the caller's lookup.
 * Why: docs/decisions/0100-binding-proofs-verified-as-typed-results.md.
 */
import { parsePublicJwk, importPublicKey, jwkThumbprint, type P256PublicJwk } from './public-key';
import { readProofHeader, stringClaim, verifyProofSignature, type ProofFailure } from './proof-jwt';

export const DBSC_PROOF_TYPE = 'dbsc+jwt';

/** The longest challenge (or `authorization`) accepted: the challenges this app makes are 43 characters long. */
const MAX_CHALLENGE_LENGTH = 256;

export type DbscProofFailure =
  | ProofFailure
  /** No `jti` (the challenge), or not a short string. */
  | 'missing_challenge'
  /** The registration header named an `authorization` value and the proof does not carry it. */
  | 'wrong_authorization';

export type DbscRegistration =
  | { ok: true; challenge: string; publicKey: P256PublicJwk; thumbprint: string }
  | { ok: false; reason: DbscProofFailure };

export type DbscRefresh = { ok: true; challenge: string } | { ok: false; reason: DbscProofFailure };

/**
 * A registration proof: signed by the key in its own header. `authorization`: the value the
 * Secure-Session-Registration header carried, which the proof must repeat; omit when none was sent.
 */
export async function verifyDbscRegistrationProof(token: unknown, expected: { authorization?: string } = {}): Promise<DbscRegistration> {
  const read = readProofHeader(token, DBSC_PROOF_TYPE);
  if (!read.ok) return read;
  const publicKey = parsePublicJwk(read.header.jwk);
  const key = publicKey && (await importPublicKey(publicKey));
  if (!publicKey || !key) return { ok: false, reason: 'bad_key' };
  const verified = await verifyProofSignature(token as string, key);
  if (!verified.ok) return verified;
  const challenge = stringClaim(verified.claims, 'jti', MAX_CHALLENGE_LENGTH);
  if (!challenge) return { ok: false, reason: 'missing_challenge' };
  if (expected.authorization !== undefined && verified.claims.authorization !== expected.authorization) {
    return { ok: false, reason: 'wrong_authorization' };
  }
  return { ok: true, challenge, publicKey, thumbprint: await jwkThumbprint(publicKey) };
}

/**
 * A refresh proof: no key in its header (the spec forbids one there, and a key that came with the proof
 * could only be the sender's own), signed by `storedKey`, the key the session registered.
 */
export async function verifyDbscRefreshProof(token: unknown, storedKey: P256PublicJwk): Promise<DbscRefresh> {
  const read = readProofHeader(token, DBSC_PROOF_TYPE);
  if (!read.ok) return read;
  if (read.header.jwk !== undefined) return { ok: false, reason: 'bad_key' };
  const key = await importPublicKey(storedKey);
  if (!key) return { ok: false, reason: 'bad_key' };
  const verified = await verifyProofSignature(token as string, key);
  if (!verified.ok) return verified;
  const challenge = stringClaim(verified.claims, 'jti', MAX_CHALLENGE_LENGTH);
  if (!challenge) return { ok: false, reason: 'missing_challenge' };
  return { ok: true, challenge };
}
