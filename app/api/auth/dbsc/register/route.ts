/**
 * POST /api/auth/dbsc/register: the browser's Device Bound Session Credentials registration, sent
 * after the sign-in answer's Secure-Session-Registration with a `dbsc+jwt` signed by its new key over
 * that challenge. The session its access cookie names becomes `dbsc` (lib/session/dbsc-registration.ts):
 * the answer is the session instructions, the access cookie re-issued as the bound cookie, the refresh
 * cookie cleared and the next challenge. Any refusal is a 400, which the browser takes as "no DBSC":
 * the session stays as it was. Why: docs/decisions/0103-dbsc-endpoints.md.
 */
import type { NextRequest } from 'next/server';
import { parseStringHeader } from '@/lib/binding/dbsc-headers';
import { expectedOrigin } from '@/lib/request/origin';
import { requestMeta } from '@/lib/request/request-meta';
import { DBSC_DEFAULT_HEADERS, DBSC_RESPONSE_HEADER, instructionsAnswer } from '@/lib/route/dbsc-answers';
import { jsonError } from '@/lib/route/responses';
import { routeHandler } from '@/lib/route/route-handler';
import { registerDbscSession } from '@/lib/session/dbsc-registration';
import { verifyAccessToken } from '@/lib/tokens/access-token';
import { clearRefreshCookie, cookieNames } from '@/lib/tokens/cookies';
import { hasDuplicatedSessionCookies } from '@/lib/tokens/duplicate-cookies';
import { issueSessionCookies } from '@/lib/tokens/issue-session-cookies';

const NOT_REGISTERED = 'This browser’s key could not be registered. The session continues as it was.';

export const POST = routeHandler(
  { crossOrigin: 'absent-or-same-origin', defaultHeaders: DBSC_DEFAULT_HEADERS },
  async (req: NextRequest) => {
    const now = new Date();
    const origin = expectedOrigin(req.headers);
    if (!origin || hasDuplicatedSessionCookies(req.headers)) return jsonError(400, NOT_REGISTERED);
    const registered = await registerDbscSession(
      await accessTokenSessionId(req.cookies.get(cookieNames().access)?.value),
      parseStringHeader(req.headers.get(DBSC_RESPONSE_HEADER)),
      requestMeta(req.headers),
      now,
    );
    if (!registered.ok) return jsonError(400, NOT_REGISTERED);
    const response = instructionsAnswer(origin, registered.dbscSessionId, registered.nextChallenge);
    const { sessionId, user, timeline } = registered;
    (await issueSessionCookies({ user, sessionId, timeline, dbscBound: true }, now)).writeTo(response.cookies);
    clearRefreshCookie(response.cookies);
    return response;
  },
);

/** The session a valid `__Host-` access cookie names; else nothing. */
async function accessTokenSessionId(token: string | undefined): Promise<string | undefined> {
  const verified = token ? await verifyAccessToken(token) : undefined;
  return verified?.ok ? verified.claims.sessionId : undefined;
}
