/**
 * Password change through the checked path: session row, then current password, then the change,
 * which moves this browser to a new session (lib/auth/password-change.ts).
 */
import 'server-only';
import { recordSecurityEvent } from '../audit/security-events';
import { checkPasswordInSession } from '../auth/check-password';
import { actionError } from './action-result';
import { SESSION_ENDED, TOO_MANY_ATTEMPTS } from '../messages';
import { changePassword } from '../auth/password-change';
import { defineSensitiveAction } from './checked-action';
import { issueSessionCookies } from '../session/issue-session-cookies';
import { passwordChangeSchema } from '../validation';

const PASSWORD_CHANGED = 'Password changed';

export const changePasswordDefinition = defineSensitiveAction({
  schema: passwordChangeSchema,
  async handler(input, { user, session, now, meta, cookies }) {
    // Always the current password, however fresh the session (ASVS 7.5.1): a borrowed unlocked
    // laptop must not be enough to take the account over.
    // Limited per session, not per email: anonymous guesses cannot lock the owner out here (finding 8).
    const check = await checkPasswordInSession({ userId: user.id, sessionId: session.id }, input.currentPassword, now);
    if (!check.ok) {
      // A refused attempt writes nothing, so hammering cannot grow the event table (finding 5).
      if (check.reason === 'throttled') return actionError('throttled', TOO_MANY_ATTEMPTS);
      await recordSecurityEvent({ type: 'step_up_failed', userId: user.id, sessionId: session.id, meta, now });
      return actionError('invalid_input', 'Please correct the highlighted fields.', {
        currentPassword: ['Your current password is not correct.'],
      });
    }

    const changed = await changePassword({ userId: user.id, sessionId: session.id }, input.newPassword, meta, now);
    // The session was ended between the check above and the change: nothing changed.
    if (!changed.ok) return actionError('session_ended', SESSION_ENDED);
    // This browser continues in the new session; the one its old cookies name has ended.
    (await issueSessionCookies({ user, sessionId: changed.sessionId, refreshToken: changed.refreshToken }, now)).writeTo(cookies);
    return { status: 'success', message: PASSWORD_CHANGED };
  },
});
