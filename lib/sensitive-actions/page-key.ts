/**
 * Whether a checked action's request shows the key the session was bound to at sign-in (the page key,
 * `Session.pageKeyThumbprint`, which a DBSC binding keeps): a proof in the form's `keyProof` field
 * (lib/binding/action-proof.ts) for `POST <origin>/action`, within the proof window, by that very key.
 * A copied access token has no such proof, so for it a bound session counts as unbound (./step-up-policy.ts).
 * Why: docs/decisions/0110-a-bound-session-acts-with-its-key.md.
 */
import 'server-only';
import { ACTION_PROOF_PATH, KEY_PROOF_FIELD } from '../binding/action-proof';
import { verifyKeyProof } from '../binding/key-proof';
import type { P256PublicJwk } from '../binding/public-key';
import { expectedOrigin } from '../request/origin';
import { isBound } from '../session/binding-tier';
import type { HeaderReader } from '../request/request-context';

/** The page key this request proved it holds: the public half and its RFC 7638 thumbprint. */
export type ProvenPageKey = { publicKey: P256PublicJwk; thumbprint: string };

/** A proof is a compact JWS of a few hundred characters; anything much longer is not one. */
const MAX_PROOF_LENGTH = 4096;

/**
 * Whether a session has a page key to show: bound (a tier the policy counts as bound,
 * lib/session/binding-tier.ts) and bound at sign-in to a key its page holds (`pageKeyThumbprint`).
 */
export function hasPageKey(session: { bindingKind: string; pageKeyThumbprint: string | null }): session is { bindingKind: string; pageKeyThumbprint: string } {
  return isBound(session.bindingKind) && session.pageKeyThumbprint !== null;
}

/** The proven page key, or null: no proof, none fit to check, another key's, or a session with no page key to show. */
export async function provenPageKey(
  session: { bindingKind: string; pageKeyThumbprint: string | null },
  formData: FormData,
  headers: HeaderReader,
  now: Date,
): Promise<ProvenPageKey | null> {
  const proof = formData.get(KEY_PROOF_FIELD);
  if (!hasPageKey(session) || typeof proof !== 'string' || proof.length > MAX_PROOF_LENGTH) return null;
  const origin = expectedOrigin(headers);
  if (!origin) return null;
  const verified = await verifyKeyProof(proof, { method: 'POST', url: `${origin}${ACTION_PROOF_PATH}`, now });
  if (!verified.ok || verified.thumbprint !== session.pageKeyThumbprint) return null;
  return { publicKey: verified.publicKey, thumbprint: verified.thumbprint };
}
