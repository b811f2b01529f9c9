/**
 * A password typed inside a signed-in session (the step-up confirmation, the current password of a
 * password change), checked one way for both: against the account's in-session limit
 * (lib/auth/check-password.ts `checkPasswordInSession`); a right entry is the only thing that lets the
 * request's handler issue session cookies (./checked-action.ts `allowSessionCookies`); a wrong one is
 * recorded as `step_up_failed`, a throttled one writes nothing. Why: docs/decisions/0052-attempt-limits.md.
 */
import 'server-only';
import { recordSecurityEvent } from '../audit/security-events';
import { checkPasswordInSession } from '../auth/check-password';
import { tooManyAttempts } from '../forms/messages';
import { actionError, type ActionState } from './action-result';
import { allowSessionCookies, type SensitiveContext } from './checked-action';

/** Null when `password` is right; otherwise the refusal to return, with `wrongMessage` beside `field`. */
export async function refuseWrongPasswordEntry(
  context: SensitiveContext,
  password: string,
  wrong: { field: string; formMessage: string; fieldMessage: string },
): Promise<ActionState<never> | null> {
  const { user, session, now, meta } = context;
  const check = await checkPasswordInSession({ userId: user.id, sessionId: session.id }, password, now);
  if (check.ok) {
    allowSessionCookies(context, check.typed);
    return null;
  }
  if (check.reason === 'throttled') return actionError('throttled', tooManyAttempts(check.retryAfterSeconds));
  await recordSecurityEvent({ type: 'step_up_failed', userId: user.id, sessionId: session.id, meta, now });
  return actionError('invalid_input', wrong.formMessage, { [wrong.field]: [wrong.fieldMessage] });
}
