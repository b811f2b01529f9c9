import type { NextRequest } from 'next/server';
import { requestMeta } from '@/lib/request/request-meta';
import { json, jsonError } from '@/lib/route/responses';
import { routeHandler } from '@/lib/route/route-handler';
import { SIGNUP_DONE, tooManySignups } from '@/lib/forms/messages';
import { signUp } from '@/lib/auth/sign-up';
import { unlessHasherBusy } from '@/lib/auth/hasher-busy';
import { signupSchema } from '@/lib/forms/validation';

/**
 * POST /api/auth/signup {email, password}. A new and an already-registered email get the same 201 and
 * body (see lib/auth/sign-up.ts): the answer cannot be used to discover accounts. No session is created;
 * the person signs in next, which is where a wrong guess at someone else's account stops.
 */
export const POST = routeHandler({ body: signupSchema }, async (req: NextRequest, { body }) => {
  const { email, password } = await body();
  // A full password-hashing queue answers 503 + Retry-After at once, so a signup flood cannot queue
  // unbounded Argon2 work (lib/auth/hasher-busy.ts).
  const attempt = await unlessHasherBusy(() => signUp(email, password, requestMeta(req.headers)));
  if (!attempt.ok) return attempt.response;
  const result = attempt.value;
  // Per client IP, whatever the email: it says nothing about any account.
  if (!result.ok) {
    return jsonError(429, tooManySignups(result.retryAfterSeconds), {
      headers: { 'Retry-After': String(result.retryAfterSeconds) },
    });
  }
  return json({ message: SIGNUP_DONE }, 201);
});
