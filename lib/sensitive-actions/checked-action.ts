/**
 * The one checked path for sensitive server actions (payments, password change, step-up): the Origin,
 * the access token, the session row re-read (`verifyLiveSession`), the page key's proof when the form
 * carries one (./page-key.ts), a recent password where asked (typed with the action unless the request
 * proved a bound session's key: ./action-password.ts), the form's zod schema, and only then the handler.
 * Session cookies are issued only when the password was typed in this request. Why and in what order:
 * docs/decisions/0073-the-checked-action-path.md, docs/decisions/0110-a-bound-session-acts-with-its-key.md.
 */
import 'server-only';
import { cookies, headers } from 'next/headers';
import type { z } from 'zod';
import { actionError, type ActionState } from './action-result';
import { requestMeta, type RequestMeta } from '../request/request-meta';
import type { HeaderReader } from '../request/request-context';
import { clearSessionCookies, cookieNames, setSignedOutReasonCookie, type CookieWriter } from '../tokens/cookies';
import { CONFLICTING_SESSION_COOKIES, hasDuplicatedSessionCookies } from '../tokens/duplicate-cookies';
import { verifyLiveSession } from '../dal';
import { SESSION_ENDED, UNEXPECTED_ERROR } from '../forms/messages';
import { isSameOriginRequest } from '../request/origin';
import type { SessionRecord } from '../session/session-types';
import { endTimedOutSession } from '../session/session-timeouts';
import { fieldErrors } from '../forms/validation';
import { PasswordHasherBusy } from '../auth/password-hashing';
import { provesPasswordTyped, type PasswordTyped } from '../auth/check-password';
import type { SessionUser } from '../auth/user';
import { ACTION_PASSWORD_FIELD, passwordSentWithAction, recentAuthenticationRuleFor, refuseWrongActionPassword } from './action-password';
import { KEY_PROOF_FIELD } from '../binding/action-proof';
import { provenPageKey, type ProvenPageKey } from './page-key';

const UNREADABLE_FORM = 'This form could not be read. Reload the page and try again.';
const RENEW = 'Your sign-in needs renewing.';
const SERVER_BUSY_ACTION = 'The server is busy right now. Nothing was changed. Try again in a moment.';

export type SensitiveContext = {
  user: SessionUser;
  session: SessionRecord;
  /**
   * The key the session was bound to at sign-in, when this request proved this page holds it; null for
   * a request without that proof (an unbound session, a copied access token, a page that lost its key).
   */
  pageKey: ProvenPageKey | null;
  now: Date;
  meta: RequestMeta;
  /**
   * For handlers that re-issue tokens (step-up, password change): session cookies are refused unless
   * `allowSessionCookies` was given a proof of a password typed in this request (see the top of this file).
   */
  cookies: CookieWriter;
};

/** A handler tried to hand out session cookies without a password typed in the request. */
export class SessionCookiesRefused extends Error {
  constructor(cookieName: string) {
    super(`Refused to set ${cookieName}: a server action may issue session cookies only after a password typed in the same request`);
    this.name = 'SessionCookiesRefused';
  }
}

/** Whether each handler's context has shown a typed password: set only by `allowSessionCookies`. */
const passwordTypedIn = new WeakMap<SensitiveContext, boolean>();

/**
 * Lets this request's handler issue session cookies: `typed` must be the proof lib/auth/check-password.ts
 * made for this context's user and session. Anything else changes nothing.
 */
export function allowSessionCookies(context: SensitiveContext, typed: PasswordTyped): void {
  if (passwordTypedIn.has(context) && provesPasswordTyped(typed, { userId: context.user.id, sessionId: context.session.id })) {
    passwordTypedIn.set(context, true);
  }
}

/** The jar handlers get: session cookies only once `allowSessionCookies` accepted a proof; clearing is always allowed. */
function guardedJar(jar: CookieWriter, passwordTyped: () => boolean): CookieWriter {
  const names = cookieNames();
  const session = new Set([names.access, names.refresh, names.hint]);
  return {
    set(name, value, options) {
      if (session.has(name) && value !== '' && !passwordTyped()) throw new SessionCookiesRefused(name);
      return jar.set(name, value, options);
    },
  };
}

export type SensitiveActionDefinition<S extends z.ZodType, T> = {
  schema: S;
  /**
   * Require a password entry in this session within REAUTH_MAX_AGE_SECONDS (step-up); for an unbound
   * session under UNBOUND_SESSION_POLICY=step-up, the password with the action itself (./action-password.ts).
   */
  requireRecentAuthentication?: boolean;
  handler: (input: z.infer<S>, context: SensitiveContext) => Promise<ActionState<T>>;
};

/** What the wrapper reads from the request; explicit so tests can drive it without a Next.js server. */
export type SensitiveRequest = {
  headers: HeaderReader;
  accessToken: string | undefined;
  /** The session-hint cookie is present: a browser that dropped an expired access cookie may renew. */
  mayRenew: boolean;
  cookies: CookieWriter;
  now: Date;
};

export function defineSensitiveAction<S extends z.ZodType, T = undefined>(
  definition: SensitiveActionDefinition<S, T>,
): SensitiveActionDefinition<S, T> {
  return definition;
}

export async function runSensitiveAction<S extends z.ZodType, T>(
  definition: SensitiveActionDefinition<S, T>,
  request: SensitiveRequest,
  formData: FormData,
): Promise<ActionState<T>> {
  if (!isSameOriginRequest(request.headers)) {
    return actionError('cross_origin', 'This request did not come from this site and was refused.');
  }

  try {
    // Expected failures are returned, not thrown; this catch is for the unexpected (a database outage),
    // which the person sees as a generic message while the details go to the server log.
    // A session cookie sent twice: Next keeps the last copy, which may be another account's
    // (lib/tokens/duplicate-cookies.ts). Nothing runs, and the app's own cookies are cleared.
    if (hasDuplicatedSessionCookies(request.headers)) {
      clearSessionCookies(request.cookies);
      return actionError('session_ended', CONFLICTING_SESSION_COOKIES);
    }
    const check = await verifyLiveSession(request);
    if (!check.ok) {
      // Browsers drop the access cookie when its Max-Age runs out, so "renewable" covers a missing
      // token with the hint cookie too. Either way the client renews once and retries; nothing ran.
      if (check.reason === 'renewable') return actionError('session_expired', RENEW);
      // A timeout found here is written like every other ending, with its event (lib/session/session-timeouts.ts).
      // When the write matches nothing, a renewal touched the session after it was read (or something else
      // ended it): the client renews, and learns which, rather than being told a live session ended.
      if (check.timedOut && !(await endTimedOutSession(check.timedOut.session, check.timedOut.state, requestMeta(request.headers), request.now))) {
        return actionError('session_expired', RENEW);
      }
      // The session was ended by someone or something else: the sign-in page the refusal links to
      // says why (lib/session/signed-out-reason.ts).
      if (check.signedOutReason) setSignedOutReasonCookie(request.cookies, check.signedOutReason);
      return actionError('session_ended', SESSION_ENDED);
    }

    const pageKey = await provenPageKey(check.session, formData, request.headers, request.now);
    const rule = definition.requireRecentAuthentication ? recentAuthenticationRuleFor(check.session, pageKey !== null, request.now) : 'fresh';
    if (rule === 'reauth_required') return actionError('reauth_required', 'For your security, confirm your password to continue.');
    // An unbound session under UNBOUND_SESSION_POLICY=step-up: the password comes with this very request.
    const typed = rule === 'password_with_action' ? passwordSentWithAction(formData, check.session) : null;
    if (typed !== null && typeof typed !== 'string') return typed;

    const values = formValues(formData);
    delete values[KEY_PROOF_FIELD];
    if (rule === 'password_with_action') delete values[ACTION_PASSWORD_FIELD];
    const parsed = definition.schema.safeParse(values);
    if (!parsed.success) {
      return actionError('invalid_input', 'Please correct the highlighted fields.', fieldErrors(parsed.error));
    }

    const context: SensitiveContext = {
      user: check.user,
      session: check.session,
      pageKey,
      now: request.now,
      meta: requestMeta(request.headers),
      cookies: guardedJar(request.cookies, () => passwordTypedIn.get(context) === true),
    };
    passwordTypedIn.set(context, false);
    if (typeof typed === 'string') {
      const refused = await refuseWrongActionPassword(context, typed);
      if (refused) return refused;
    }
    return await definition.handler(parsed.data, context);
  } catch (error) {
    // The bounded hashing queue is full: expected under a sign-in flood, nothing ran.
    if (error instanceof PasswordHasherBusy) return actionError('busy', SERVER_BUSY_ACTION);
    console.error('Sensitive action failed', error);
    return actionError('unexpected', UNEXPECTED_ERROR);
  }
}

/** Adapts a definition to a server action for `useActionState`, reading the real request. */
export function sensitiveAction<S extends z.ZodType, T>(
  definition: SensitiveActionDefinition<S, T>,
  options: { onSuccess?: () => void } = {},
) {
  return async (_previous: ActionState<T>, formData: FormData): Promise<ActionState<T>> => {
    // Anyone can post any arguments to an action id: a body that names no form is refused here, as
    // the typed result it is, not as an exception logged from inside the checks.
    if (!(formData instanceof FormData)) return actionError('invalid_input', UNREADABLE_FORM);
    const [headerList, jar] = await Promise.all([headers(), cookies()]);
    const result = await runSensitiveAction(
      definition,
      {
        headers: headerList,
        accessToken: jar.get(cookieNames().access)?.value,
        mayRenew: jar.has(cookieNames().hint),
        cookies: jar,
        now: new Date(),
      },
      formData,
    );
    if (result.status === 'success') options.onSuccess?.();
    return result;
  };
}

/** Form fields as a plain object, without React's internal `$ACTION_*` fields. */
function formValues(formData: FormData): Record<string, FormDataEntryValue> {
  const values: Record<string, FormDataEntryValue> = {};
  for (const [key, value] of formData) if (!key.startsWith('$ACTION')) values[key] = value;
  return values;
}
