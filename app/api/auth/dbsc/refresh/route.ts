/**
 * POST /api/auth/dbsc/refresh: the browser's Device Bound Session Credentials refresh, sent with
 * `Sec-Secure-Session-Id` when the bound access cookie runs low, and a `dbsc+jwt` over a challenge
 * it was given. 200: the instructions, a new bound access cookie and the next challenge. 403 with
 * Secure-Session-Challenge: sign this one (the browser retries at once). 404: no such DBSC session.
 * 401: the session is over (cookies cleared, the reason its holder is told); ends the browser's DBSC
 * session. What each answer means: lib/session/dbsc-decision.ts, docs/decisions/0103-dbsc-endpoints.md.
 */
import type { NextRequest } from 'next/server';
import { challengeHeader, parseStringHeader } from '@/lib/binding/dbsc-headers';
import { SESSION_ENDED } from '@/lib/forms/messages';
import { expectedOrigin } from '@/lib/request/origin';
import { requestMeta } from '@/lib/request/request-meta';
import {
  DBSC_CHALLENGE_HEADER,
  DBSC_DEFAULT_HEADERS,
  DBSC_RESPONSE_HEADER,
  DBSC_SESSION_ID_HEADER,
  instructionsAnswer,
} from '@/lib/route/dbsc-answers';
import { jsonError } from '@/lib/route/responses';
import { routeHandler } from '@/lib/route/route-handler';
import { refreshDbscSession } from '@/lib/session/dbsc-refresh';
import { clearSessionCookies, setSignedOutReasonCookie } from '@/lib/tokens/cookies';
import { issueSessionCookies } from '@/lib/tokens/issue-session-cookies';

const SIGN_CHALLENGE = 'Sign the challenge given.';
const NO_SUCH_SESSION = 'No such device-bound session.';

export const POST = routeHandler(
  { crossOrigin: 'absent-or-same-origin', defaultHeaders: DBSC_DEFAULT_HEADERS },
  async (req: NextRequest) => {
    const now = new Date();
    const origin = expectedOrigin(req.headers);
    if (!origin) return jsonError(400, NO_SUCH_SESSION);
    const dbscSessionId = parseStringHeader(req.headers.get(DBSC_SESSION_ID_HEADER));
    const proof = parseStringHeader(req.headers.get(DBSC_RESPONSE_HEADER));
    const outcome = await refreshDbscSession(dbscSessionId, proof, requestMeta(req.headers), now);
    if (outcome.status === 'refreshed') {
      const response = instructionsAnswer(origin, dbscSessionId!, outcome.nextChallenge);
      const { sessionId, user, timeline } = outcome;
      (await issueSessionCookies({ user, sessionId, timeline, dbscBound: true }, now)).writeTo(response.cookies);
      return response;
    }
    const { refusal, challenge } = outcome;
    if (refusal.httpStatus === 403 && challenge) {
      return jsonError(403, SIGN_CHALLENGE, { headers: { [DBSC_CHALLENGE_HEADER]: challengeHeader(challenge, dbscSessionId!) } });
    }
    if (refusal.httpStatus === 404) return jsonError(404, NO_SUCH_SESSION);
    const response = jsonError(refusal.httpStatus, SESSION_ENDED);
    if (refusal.clearsCookies) clearSessionCookies(response.cookies);
    if (refusal.signedOutReason) setSignedOutReasonCookie(response.cookies, refusal.signedOutReason);
    return response;
  },
);
