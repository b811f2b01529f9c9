/**
 * What each security event means to the person whose account it is: one label per type, in one place,
 * for /activity. `Record<SecurityEventType, …>` makes a new event type without a label a type error.
 * Browser-safe: no database, no Node.
 */
import type { SecurityEventType } from './security-events';

export const SECURITY_EVENT_LABELS: Record<SecurityEventType, string> = {
  signup: 'Account created',
  signup_existing_email: 'Someone tried to create an account with your email',
  login_succeeded: 'Signed in',
  login_failed: 'Failed sign-in: wrong password',
  login_throttled: 'Sign-in paused after too many failed attempts',
  logout: 'Signed out',
  refresh_token_reuse: 'Refresh token used twice: session signed out',
  binding_proof_failed: 'Renewal from a device without this session’s key: session signed out',
  session_bound: 'Session bound to this browser’s key',
  password_changed: 'Password changed',
  other_sessions_revoked: 'Other sessions signed out',
  session_revoked: 'A session was signed out',
  step_up_succeeded: 'Password confirmed',
  step_up_failed: 'Wrong password typed while signed in',
  payment_sent: 'Payment sent',
  session_expired: 'Session timed out and was signed out',
  session_limit_reached: 'Oldest session signed out: too many devices signed in',
  lab_demo_copied: 'Lab demonstration: a separate session was made, its access token copied, and the session signed out',
  lab_demo_bound: 'Lab demonstration: a separate session bound to this browser’s key was made, its refresh token tried from another device, and the session ended',
  lab_token_copied: 'Signed out on /lab, keeping a copy of the access token',
};

/** Events a person should not miss: /activity shows them as warnings, with what to do. */
export const ALARMING_EVENTS: ReadonlySet<string> = new Set<SecurityEventType>(['refresh_token_reuse', 'binding_proof_failed']);

/** The sentence /activity shows beside a refresh-token reuse. */
export const REUSE_EXPLANATION = 'We signed out a session because its refresh token was used twice.';

/** The sentence /activity shows beside a renewal signed by another key (docs/decisions/0102-key-bound-renewal.md). */
export const BINDING_PROOF_EXPLANATION = 'We signed out a session because a renewal came from a device without its key.';

/** What each alarming event means, and whose copy may be abroad: the first sentences of its warning. */
export const ALARM_EXPLANATIONS: Record<string, string> = {
  refresh_token_reuse: `${REUSE_EXPLANATION} Someone may have copied it.`,
  binding_proof_failed: `${BINDING_PROOF_EXPLANATION} Someone may have copied your cookies.`,
};

/** A stored type this version does not know (written by a newer or older release) still gets a label. */
export function securityEventLabel(type: string): string {
  return Object.hasOwn(SECURITY_EVENT_LABELS, type) ? SECURITY_EVENT_LABELS[type as SecurityEventType] : 'Other account event';
}
