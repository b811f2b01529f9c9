/**
 * The types of session rows and their endings, shared by the store (./session-store.ts), the data access
 * layer and the pages: no code, so any module may import them.
 */
export type IssuedRefreshToken = { token: string; expiresAt: Date };

export type SessionRecord = {
  id: string;
  userId: string;
  createdAt: Date;
  lastActiveAt: Date;
  authenticatedAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  /** `none`, `key_proof` or `dbsc` (lib/session/binding-tier.ts); a string column, so anything else reads as unbound. */
  bindingKind: string;
  /** The thumbprint of the key the sign-in page proved it holds, kept through DBSC and step-up; null when none. */
  pageKeyThumbprint: string | null;
};

/**
 * Why a session ended, stored on the row. `password_changed` and `reauthenticated` name the session in
 * which the password was typed: that browser continues in a new session (`replaceSession`), so a
 * refresh racing it is not news to anyone. The others ended a session its holder did not end
 * themselves, which the sign-in page explains (lib/session/signed-out-reason.ts):
 * - `password_changed_elsewhere`: the password was changed in another session (ASVS 7.4.3);
 * - `revoked_by_user`: signed out from another device on /sessions (ASVS 7.5.2);
 * - `refresh_token_reuse`: reuse detection (RFC 9700 4.14.2);
 * - `idle_timeout` / `absolute_timeout`: found past its idle or absolute deadline (ASVS 7.3.1, 7.3.2)
 *   by a refused renewal, a refused sensitive action or housekeeping (./session-timeouts.ts);
 * - `session_limit`: the oldest live session, ended when a sign-in would exceed MAX_SESSIONS_PER_USER.
 * - `binding_proof_failed`: a renewal came with a proof the session's key did not make (./binding-store.ts).
 * Rows ended by an older /lab carry `lab_token_copied`, which nothing writes any more; the sign-in page
 * explains those too (`LEGACY_LAB_REVOCATION` in lib/session/signed-out-reason.ts).
 */
export type RevocationReason =
  | 'logout'
  | 'refresh_token_reuse'
  | 'password_changed'
  | 'password_changed_elsewhere'
  | 'reauthenticated'
  | 'revoked_by_user'
  | 'idle_timeout'
  | 'absolute_timeout'
  | 'session_limit'
  | 'binding_proof_failed';
