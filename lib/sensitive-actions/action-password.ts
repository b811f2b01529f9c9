/**
 * Recent authentication for one action, as ./checked-action.ts applies it: the rule for this session
 * under this deployment's settings (./step-up-policy.ts), and the password an unbound session sends with
 * the action itself (UNBOUND_SESSION_POLICY=step-up), checked against the in-session limit like any
 * password typed in a session. It earns no credit and moves nothing to a new session: it counts for this
 * request only. Why: docs/decisions/0107-session-tier-and-unbound-policy.md.
 */
import 'server-only';
import { recordSecurityEvent } from '../audit/security-events';
import { checkPasswordInSession } from '../auth/check-password';
import type { SessionUser } from '../auth/user';
import { getConfig } from '../config/config';
import { KEY_NOT_SHOWN_PASSWORD_REQUIRED, tooManyAttempts, UNBOUND_PASSWORD_REQUIRED } from '../forms/messages';
import { passwordProblem } from '../forms/password-rules';
import type { RequestMeta } from '../request/request-meta';
import type { SessionRecord } from '../session/session-types';
import { actionError, type ActionState } from './action-result';
import { recentAuthenticationRule, type RecentAuthenticationRule } from './step-up-policy';
import { isBound } from '../session/binding-tier';

/** The form field that carries the password with the action. */
export const ACTION_PASSWORD_FIELD = 'password';

const WRONG_PASSWORD = 'That password is not correct.';

/**
 * The password sent with the action (its `password` field), or the answer when there is none fit to check:
 * `password_required` without the field, the sign-in form's message beside it when empty or too long.
 */
export function passwordSentWithAction(formData: FormData, session: Pick<SessionRecord, 'bindingKind'>): string | ActionState<never> {
  const typed = formData.get(ACTION_PASSWORD_FIELD);
  if (typeof typed !== 'string') {
    return actionError('password_required', isBound(session.bindingKind) ? KEY_NOT_SHOWN_PASSWORD_REQUIRED : UNBOUND_PASSWORD_REQUIRED);
  }
  const problem = passwordProblem(typed);
  return problem ? actionError('invalid_input', problem, { [ACTION_PASSWORD_FIELD]: [problem] }) : typed;
}

/**
 * The step-up rule for `session` at `now`, with UNBOUND_SESSION_POLICY and REAUTH_MAX_AGE_SECONDS;
 * `keyShown`: the request proved the session's page key (./page-key.ts).
 */
export function recentAuthenticationRuleFor(session: SessionRecord, keyShown: boolean, now: Date): RecentAuthenticationRule {
  const config = getConfig();
  return recentAuthenticationRule({
    bindingKind: session.bindingKind,
    keyShown,
    policy: config.UNBOUND_SESSION_POLICY,
    authenticatedAt: session.authenticatedAt,
    now,
    reauthMaxAgeSeconds: config.REAUTH_MAX_AGE_SECONDS,
  });
}

/**
 * Null when `password` is the account's; otherwise the refusal, beside the `password` field. A wrong one is
 * recorded as `step_up_failed` and counts toward the in-session limit; a throttled one writes nothing.
 */
export async function refuseWrongActionPassword(
  context: { user: SessionUser; session: SessionRecord; now: Date; meta: RequestMeta },
  password: string,
): Promise<ActionState<never> | null> {
  const { user, session, now, meta } = context;
  const check = await checkPasswordInSession({ userId: user.id, sessionId: session.id }, password, now);
  if (check.ok) return null;
  if (check.reason === 'throttled') {
    const message = tooManyAttempts(check.retryAfterSeconds);
    return actionError('throttled', message, { [ACTION_PASSWORD_FIELD]: [message] });
  }
  await recordSecurityEvent({ type: 'step_up_failed', userId: user.id, sessionId: session.id, meta, now });
  return actionError('invalid_input', WRONG_PASSWORD, { [ACTION_PASSWORD_FIELD]: [WRONG_PASSWORD] });
}
