import type { NextRequest } from 'next/server';
import { requestMeta } from '@/lib/http/request-meta';
import { json } from '@/lib/http/responses';
import { parseJsonBody } from '@/lib/http/json-body';
import { rejectCrossOrigin } from '@/lib/http/origin';
import { SIGNUP_DONE } from '@/lib/messages';
import { signUp } from '@/lib/auth/sign-up';
import { signupSchema } from '@/lib/validation';

/**
 * POST /api/auth/signup {email, password}. A new and an already-registered email get the same 201 and
 * body (see lib/auth/sign-up.ts): the answer cannot be used to discover accounts. No session is created;
 * the person signs in next, which is where a wrong guess at someone else's account stops.
 */
export async function POST(req: NextRequest) {
  const crossOrigin = rejectCrossOrigin(req);
  if (crossOrigin) return crossOrigin;
  const body = await parseJsonBody(req, signupSchema);
  if (!body.ok) return body.response;
  await signUp(body.data.email, body.data.password, requestMeta(req.headers));
  return json({ message: SIGNUP_DONE }, 201);
}
