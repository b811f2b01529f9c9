import type { NextRequest } from 'next/server';
import { requestMeta } from '@/lib/request/request-meta';
import { clearSessionCookies, clearSignedOutReasonCookie, cookieNames, signedOutReasonCookieName } from '@/lib/tokens/cookies';
import { CONFLICTING_SESSION_COOKIES, hasDuplicatedSessionCookies } from '@/lib/tokens/duplicate-cookies';
import { json, jsonError } from '@/lib/route/responses';
import { routeHandler } from '@/lib/route/route-handler';
import { INVALID_CREDENTIALS, tooManyAttempts, tooManySignIns } from '@/lib/forms/messages';
import { issueSessionCookies } from '@/lib/tokens/issue-session-cookies';
import { signIn } from '@/lib/auth/sign-in';
import { unlessHasherBusy } from '@/lib/auth/hasher-busy';
import { loginSchema } from '@/lib/forms/validation';

/** POST /api/auth/login {email, password}: a new session, its cookies, and who signed in. */
export const POST = routeHandler({ body: loginSchema }, async (req: NextRequest, { body }) => {
  // Cookie tossing: a planted refresh cookie beside the person's own. Sign-in ends the session this
  // browser held, and must not end the wrong one; refuse and clear what the app can clear.
  if (hasDuplicatedSessionCookies(req.headers)) {
    const response = jsonError(400, CONFLICTING_SESSION_COOKIES);
    clearSessionCookies(response.cookies);
    return response;
  }
  const { email, password } = await body();

  // A full password-hashing queue answers 503 + Retry-After at once, so a sign-in flood cannot queue
  // unbounded Argon2 work (lib/auth/hasher-busy.ts).
  const attempt = await unlessHasherBusy(() => signIn(
    email,
    password,
    requestMeta(req.headers),
    new Date(),
    req.cookies.get(cookieNames().refresh)?.value,
  ));
  if (!attempt.ok) return attempt.response;
  const result = attempt.value;
  if (!result.ok) {
    if (result.reason === 'throttled') {
      return jsonError(429, tooManyAttempts(result.retryAfterSeconds), { headers: { 'Retry-After': String(result.retryAfterSeconds) } });
    }
    if (result.reason === 'too_many_sign_ins') {
      return jsonError(429, tooManySignIns(result.retryAfterSeconds), { headers: { 'Retry-After': String(result.retryAfterSeconds) } });
    }
    return jsonError(401, INVALID_CREDENTIALS);
  }

  const cookies = await issueSessionCookies(result);
  const response = json({ user: result.user, accessTokenExpiresAt: cookies.accessTokenExpiresAt.toISOString() });
  cookies.writeTo(response.cookies);
  // A new session: the reason the last one ended is no longer news (lib/session/signed-out-reason.ts).
  if (req.cookies.has(signedOutReasonCookieName())) clearSignedOutReasonCookie(response.cookies);
  return response;
});
