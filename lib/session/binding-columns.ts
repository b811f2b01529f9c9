/**
 * The session columns of a key binding (the fallback tier, docs/decisions/0102-key-bound-renewal.md): what a
 * session bound at sign-in is created with, what a replacement row carries over, and the server nonce
 * each accepted proof swaps (RFC 9449 8). No database: the callers write these in their own statements.
 */
import { randomBytes } from 'node:crypto';
import type { P256PublicJwk } from '../binding/public-key';

/** The request header carrying the proof, and the answer header carrying the next nonce (RFC 9449 4.1, 8). */
export const KEY_PROOF_HEADER = 'DPoP';
export const KEY_PROOF_NONCE_HEADER = 'DPoP-Nonce';

/** A verified sign-in proof's key: what the new session is bound to. */
export type SignInKey = { publicKey: P256PublicJwk; thumbprint: string };

/** The session columns a key binding sets, for `createSession` and `replaceSession`. */
export type BindingColumns = {
  bindingKind: 'key_proof';
  bindingPublicKey: string;
  bindingThumbprint: string;
  boundAt: Date;
  keyProofNonce: string;
  /** The page's key, kept apart so that it outlives a later DBSC binding (prisma/schema.prisma). */
  pageKeyThumbprint: string;
};

/** A fresh server nonce: 256 random bits, base64url. Not a secret; single use is the point. */
export function newProofNonce(): string {
  return randomBytes(32).toString('base64url');
}

export function keyBindingColumns(key: SignInKey, now: Date): BindingColumns {
  return {
    bindingKind: 'key_proof',
    bindingPublicKey: JSON.stringify(key.publicKey),
    bindingThumbprint: key.thumbprint,
    boundAt: now,
    keyProofNonce: newProofNonce(),
    pageKeyThumbprint: key.thumbprint,
  };
}

/** The columns a DBSC binding carries to a replacement row: the same browser key and DBSC identifier. */
export type DbscBindingColumns = {
  bindingKind: 'dbsc';
  bindingPublicKey: string;
  bindingThumbprint: string;
  boundAt: Date;
  dbscSessionId: string;
  keyProofNonce: null;
  pageKeyThumbprint: string | null;
};

/**
 * `replaceSession` (step-up, password change): the same browser continues in a new row with the same
 * key, so a key binding carries over, with a nonce of its own; a DBSC binding keeps its identifier,
 * which the browser goes on sending (docs/decisions/0103-dbsc-endpoints.md), and the page key it was
 * bound to before.
 */
export function carriedBinding(
  old: {
    bindingKind: string;
    bindingPublicKey: string | null;
    bindingThumbprint: string | null;
    boundAt: Date | null;
    dbscSessionId?: string | null;
    pageKeyThumbprint?: string | null;
  },
  now: Date,
): BindingColumns | DbscBindingColumns | undefined {
  const { bindingPublicKey, bindingThumbprint } = old;
  if (!bindingPublicKey || !bindingThumbprint) return undefined;
  const boundAt = old.boundAt ?? now;
  if (old.bindingKind === 'dbsc' && old.dbscSessionId) {
    const { dbscSessionId } = old;
    return { bindingKind: 'dbsc', bindingPublicKey, bindingThumbprint, boundAt, dbscSessionId, keyProofNonce: null, pageKeyThumbprint: old.pageKeyThumbprint ?? null };
  }
  if (old.bindingKind !== 'key_proof') return undefined;
  const keyProofNonce = newProofNonce();
  return { bindingKind: 'key_proof', bindingPublicKey, bindingThumbprint, boundAt, keyProofNonce, pageKeyThumbprint: bindingThumbprint };
}
