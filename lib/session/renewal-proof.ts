/**
 * The key proof a renewal of a `key_proof` session carries (header `DPoP`), checked against the
 * session's stored key and current nonce for `POST <origin>/api/auth/refresh` (lib/binding/key-proof.ts).
 * What a failure does is the rotation decision's (./rotation-decision.ts `decideBinding`).
 * Why: docs/decisions/0102-key-bound-renewal.md.
 */
import { verifyKeyProof } from '../binding/key-proof';
import { parsePublicJwk } from '../binding/public-key';
import type { PresentedToken, RenewalProof } from './rotation-decision';

/** What the request sent: the proof, if any, and the URL it was addressed to (the app's public origin). */
export type PresentedProof = { token: string | undefined; url: string };

/** Undefined for a session that is not key-bound (nothing to check), else the proof's verdict. */
export async function checkRenewalProof(
  found: PresentedToken | null,
  presented: PresentedProof | undefined,
  now: Date,
): Promise<RenewalProof | undefined> {
  if (!found || found.binding.kind !== 'key_proof') return undefined;
  if (!presented?.token) return { status: 'absent' };
  const key = parsePublicJwk(parseJson(found.binding.publicKey));
  const nonce = found.binding.nonce;
  if (!key || !nonce) return { status: 'failed', reason: 'bad_key' };
  const proof = await verifyKeyProof(presented.token, { method: 'POST', url: presented.url, now, nonce, key });
  return proof.ok ? { status: 'verified', nonce } : { status: 'failed', reason: proof.reason };
}

function parseJson(text: string | null): unknown {
  try {
    return text === null ? null : JSON.parse(text);
  } catch {
    return null;
  }
}
