/**
 * A password typed inside a signed-in session: the step-up confirmation and the current password of a
 * password change. Both are checked the same way, so they live here once:
 * - against the account's own in-session attempt limit, not the email's sign-in lock, so anonymous
 *   guesses cannot lock the signed-in owner out, and more sessions give no more guesses
 *   (lib/auth/check-password.ts, `checkPasswordInSession`);
 * - a right entry is what lets this request's handler issue session cookies
 *   (./checked-action.ts `allowSessionCookies`): nothing else does;
 * - a wrong entry is recorded as `step_up_failed`; a throttled one writes nothing, so hammering cannot
 *   grow the event table.
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
