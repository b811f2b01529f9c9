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
import { verifyKeyProof } from '@/lib/binding/key-proof';
import { expectedOrigin } from '@/lib/request/origin';
import { registrationHeader } from '@/lib/binding/dbsc-headers';
import { DBSC_REGISTRATION_HEADER, DBSC_REGISTRATION_PATH } from '@/lib/route/dbsc-answers';
import { registrationChallenge } from '@/lib/session/dbsc-challenges';
import { KEY_PROOF_HEADER, KEY_PROOF_NONCE_HEADER, type SignInKey } from '@/lib/session/binding-columns';

/** A present proof that does not verify: nothing is bound, no session is made, no password is counted. */
const KEY_SETUP_FAILED = 'This browser could not set up its sign-in key. Reload the page and try again.';

/**
 * The key the sign-in page proved it holds (header `DPoP`, a proof for this very request), if it sent
 * one: the session is bound to it (docs/decisions/0102-key-bound-renewal.md). No proof: an unbound
 * session, as for a browser without WebCrypto or an API client.
 */
async function signInKey(req: NextRequest, now: Date): Promise<{ ok: true; key?: SignInKey } | { ok: false }> {
  const token = req.headers.get(KEY_PROOF_HEADER);
  if (token === null) return { ok: true };
  const proof = await verifyKeyProof(token, { method: 'POST', url: `${expectedOrigin(req.headers) ?? 'null'}/api/auth/login`, now });
  return proof.ok ? { ok: true, key: { publicKey: proof.publicKey, thumbprint: proof.thumbprint } } : { ok: false };
}

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
  const now = new Date();
  const key = await signInKey(req, now);
  if (!key.ok) return jsonError(400, KEY_SETUP_FAILED);

  // A full password-hashing queue answers 503 + Retry-After at once, so a sign-in flood cannot queue
  // unbounded Argon2 work (lib/auth/hasher-busy.ts).
  const attempt = await unlessHasherBusy(() => signIn(
    email,
    password,
    requestMeta(req.headers),
    now,
    req.cookies.get(cookieNames().refresh)?.value,
    key.key,
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
  if (result.proofNonce) response.headers.set(KEY_PROOF_NONCE_HEADER, result.proofNonce);
  // A browser with Device Bound Session Credentials answers this by registering its own key.
  const challenge = await registrationChallenge(result.sessionId, now);
  if (challenge) response.headers.set(DBSC_REGISTRATION_HEADER, registrationHeader({ path: DBSC_REGISTRATION_PATH, challenge }));
  // A new session: the reason the last one ended is no longer news (lib/session/signed-out-reason.ts).
  if (req.cookies.has(signedOutReasonCookieName())) clearSignedOutReasonCookie(response.cookies);
  return response;
});
