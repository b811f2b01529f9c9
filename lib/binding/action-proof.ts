/**
 * The proof a page sends with each checked server action, when it holds its session's key: the
 * fallback tier's RFC 9449-shaped proof (./key-proof.ts) for `POST <origin>/action`, a request no
 * renewal, sign-in or other proof names, carried in the form's `keyProof` field (server actions cannot
 * carry headers of their own). Shared by the page that signs it (lib/client/session-key.ts) and the
 * checked path that verifies it (lib/sensitive-actions/page-key.ts). No imports: safe in both.
 * Why: docs/decisions/0110-a-bound-session-acts-with-its-key.md.
 */
export const KEY_PROOF_FIELD = 'keyProof';

/** The path the proof's `htu` names, on the app's own origin. */
export const ACTION_PROOF_PATH = '/action';
