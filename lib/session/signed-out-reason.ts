/**
 * "Why was I signed out?": the closed list of reasons a session can end without its holder choosing,
 * each as one plain sentence for the next sign-in page. Decided only by a request presenting that
 * session's own token, carried in a short-lived `__Host-` cookie, never a query parameter. Pure.
 * Why: docs/decisions/0075-signed-out-reason-cookie.md.
 */

export const SIGNED_OUT_REASONS = [
  'refresh_token_reuse',
  'password_changed_elsewhere',
  'revoked_by_user',
  'idle_timeout',
  'absolute_timeout',
  'session_limit',
  'ended_on_lab',
  'binding_proof_failed',
] as const;

/**
 * The revocation reason an older /lab wrote when it ended a session (and handed the caller a new one,
 * refresh token included, on the strength of the access token alone). Nothing writes it now, but rows
 * ended that way may remain, and the browser still holding such a session may have been the victim:
 * whoever pressed the button needed only a copy of its access token. So it is explained, never silent.
 */
export const LEGACY_LAB_REVOCATION = 'lab_token_copied';

export type SignedOutReason = (typeof SIGNED_OUT_REASONS)[number];

/** One plain sentence per reason, for the sign-in page. */
export const SIGNED_OUT_MESSAGES: Record<SignedOutReason, string> = {
  refresh_token_reuse:
    'You were signed out because this session’s refresh token was used twice, which can mean someone else had a copy of it.',
  password_changed_elsewhere: 'You were signed out because your password was changed in another session.',
  revoked_by_user: 'You were signed out because this session was ended from another device.',
  idle_timeout: 'You were signed out because this session was not used for too long.',
  absolute_timeout: 'You were signed out because this session reached its maximum length.',
  session_limit:
    'You were signed out because your account signed in on more devices than it may keep at once, and this was the session unused the longest.',
  binding_proof_failed:
    'You were signed out because someone tried to renew this session from a device that does not hold its key, which can mean someone else had a copy of your cookies.',
  ended_on_lab:
    'You were signed out because this session was ended on the lab page, which an older version of this app allowed with only a copy of its access token; if that was not you, change your password.',
};

/** How a session was found to be over: its state, and for a revoked row the reason stored on it. */
export type EndedSession =
  | { state: 'revoked'; revokedReason: string | null | undefined }
  /** Reuse detected by this very request (lib/session/rotate-refresh-token.ts). */
  | { state: 'reused' }
  | { state: 'idle_expired' }
  | { state: 'absolute_expired' };

/**
 * The reason to tell the holder, or null when there is nothing to explain: they signed out themselves
 * (`logout`), or they typed their password and continue in a new session (`password_changed`,
 * `reauthenticated`), or the reason is unknown.
 */
export function signedOutReasonFor(ended: EndedSession): SignedOutReason | null {
  switch (ended.state) {
    case 'reused':
      return 'refresh_token_reuse';
    case 'idle_expired':
      return 'idle_timeout';
    case 'absolute_expired':
      return 'absolute_timeout';
    case 'revoked':
      switch (ended.revokedReason) {
        case 'refresh_token_reuse':
        case 'password_changed_elsewhere':
        case 'revoked_by_user':
        // A timeout already written on the row by whatever found it (lib/session/session-timeouts.ts).
        case 'idle_timeout':
        case 'absolute_timeout':
        case 'session_limit':
        case 'binding_proof_failed':
          return ended.revokedReason;
        case LEGACY_LAB_REVOCATION:
          return 'ended_on_lab';
        default:
          return null;
      }
  }
}

/** The cookie's value, if it is one of the known codes; anything else (tampered, stale) is ignored. */
export function parseSignedOutReason(value: string | undefined): SignedOutReason | null {
  return SIGNED_OUT_REASONS.find((reason) => reason === value) ?? null;
}
