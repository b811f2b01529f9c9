/** Password change through the checked path: session row, then current password, then the change. */
import 'server-only';
import { recordSecurityEvent } from '../audit/security-events';
import { checkPassword } from '../auth/check-password';
import { actionError } from './action-result';
import { SESSION_ENDED, TOO_MANY_ATTEMPTS } from '../messages';
import { changePassword } from '../auth/password-change';
import { defineSensitiveAction } from './checked-action';
import { issueSessionCookies } from '../session/issue-session-cookies';
import { passwordChangeSchema } from '../validation';

export const PASSWORD_CHANGED = 'Password changed';

export const changePasswordDefinition = defineSensitiveAction({
  schema: passwordChangeSchema,
  async handler(input, { user, session, now, meta, cookies }) {
    // Always the current password, however fresh the session (ASVS 7.5.1): a borrowed unlocked
    // laptop must not be enough to take the account over.
    const check = await checkPassword(user.email, input.currentPassword, now);
    if (!check.ok) {
      await recordSecurityEvent({ type: 'step_up_failed', userId: user.id, sessionId: session.id, meta, now });
      if (check.reason === 'throttled') return actionError('throttled', TOO_MANY_ATTEMPTS);
      return actionError('invalid_input', 'Please correct the highlighted fields.', {
        currentPassword: ['Your current password is not correct.'],
      });
    }

    const changed = await changePassword(user.id, session.id, input.newPassword, now);
    // The session was ended between the check above and the change: nothing changed.
    if (!changed.ok) return actionError('session_ended', SESSION_ENDED);
    const { refreshToken, otherSessionsEnded } = changed;
    (await issueSessionCookies({ user, sessionId: session.id, refreshToken }, now)).writeTo(cookies);
    await recordSecurityEvent({ type: 'password_changed', userId: user.id, sessionId: session.id, meta, now });
    if (otherSessionsEnded > 0) {
      await recordSecurityEvent({
        type: 'other_sessions_revoked',
        userId: user.id,
        sessionId: session.id,
        meta,
        now,
        detail: `${otherSessionsEnded} other session${otherSessionsEnded === 1 ? '' : 's'} signed out after the password change.`,
      });
    }
    return { status: 'success', message: PASSWORD_CHANGED };
  },
});
