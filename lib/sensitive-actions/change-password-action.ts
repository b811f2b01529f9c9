/**
 * Password change through the checked path: session row, then current password, then the change,
 * which moves this browser to a new session (lib/auth/password-change.ts).
 */
import 'server-only';
import { actionError } from './action-result';
import { SESSION_ENDED } from '../forms/messages';
import { changePassword } from '../auth/password-change';
import { defineSensitiveAction } from './checked-action';
import { refuseWrongPasswordEntry } from './password-entry';
import { issueSessionCookies, replacementGrant } from '../tokens/issue-session-cookies';
import { passwordChangeSchema } from '../forms/validation';

/** Says what else happened (lib/auth/password-change.ts): every other session ended, this one goes on. */
const PASSWORD_CHANGED = 'Password changed. All your other sessions were signed out; this browser stays signed in.';

export const changePasswordDefinition = defineSensitiveAction({
  schema: passwordChangeSchema,
  async handler(input, context) {
    const { user, session, now, meta, cookies } = context;
    // Always the current password, however fresh the session (ASVS 7.5.1): a borrowed unlocked
    // laptop must not be enough to take the account over.
    const refused = await refuseWrongPasswordEntry(context, input.currentPassword, {
      field: 'currentPassword',
      formMessage: 'Please correct the highlighted fields.',
      fieldMessage: 'Your current password is not correct.',
    });
    if (refused) return refused;

    const changed = await changePassword({ userId: user.id, sessionId: session.id }, input.newPassword, meta, now);
    // The session was ended between the check above and the change: nothing changed.
    if (!changed.ok) return actionError('session_ended', SESSION_ENDED);
    // This browser continues in the new session; the one its old cookies name has ended.
    (await issueSessionCookies(replacementGrant(user, changed.session, changed.refreshToken), now)).writeTo(cookies);
    return { status: 'success', message: PASSWORD_CHANGED };
  },
});
