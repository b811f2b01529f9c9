import type { NextRequest } from 'next/server';
import { requestMeta } from '@/lib/http/request-meta';
import { cookieNames } from '@/lib/proxy-safe/cookies';
import { json, jsonError } from '@/lib/http/responses';
import { parseJsonBody } from '@/lib/http/json-body';
import { rejectCrossOrigin } from '@/lib/http/origin';
import { INVALID_CREDENTIALS, TOO_MANY_ATTEMPTS } from '@/lib/messages';
import { issueSessionCookies } from '@/lib/session/issue-session-cookies';
import { signIn } from '@/lib/auth/sign-in';
import { loginSchema } from '@/lib/validation';

/** POST /api/auth/login {email, password}: a new session, its cookies, and who signed in. */
export async function POST(req: NextRequest) {
  const crossOrigin = rejectCrossOrigin(req);
  if (crossOrigin) return crossOrigin;
  const body = await parseJsonBody(req, loginSchema);
  if (!body.ok) return body.response;

  const result = await signIn(
    body.data.email,
    body.data.password,
    requestMeta(req.headers),
    new Date(),
    req.cookies.get(cookieNames().refresh)?.value,
  );
  if (!result.ok) {
    if (result.reason === 'throttled') {
      return jsonError(429, TOO_MANY_ATTEMPTS, { headers: { 'Retry-After': String(result.retryAfterSeconds) } });
    }
    return jsonError(401, INVALID_CREDENTIALS);
  }

  const cookies = await issueSessionCookies(result);
  const response = json({ user: result.user, accessTokenExpiresAt: cookies.accessTokenExpiresAt.toISOString() });
  cookies.writeTo(response.cookies);
  return response;
}
