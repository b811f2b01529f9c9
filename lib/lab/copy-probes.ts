/**
 * What the /lab page's copied access token (lib/lab/token-copy.ts) can still do, tried for real and
 * changing nothing: a read of `GET /api/me` over loopback, and a payment and a password change through
 * the real checked path. Why each is safe to try: docs/decisions/0076-the-labs-token-copy.md.
 */
import 'server-only';
import { randomUUID } from 'node:crypto';
import type { ActionState } from '../sensitive-actions/action-result';
import { runSensitiveAction, type SensitiveRequest } from '../sensitive-actions/checked-action';
import { changePasswordDefinition } from '../sensitive-actions/change-password-action';
import { sendPaymentDefinition } from '../sensitive-actions/send-payment-action';
import { ownServerOrigin } from '../request/request-context-hook';
import { getConfig } from '../config/config';
import { cookieNames } from '../tokens/cookies';
import { findCopiedToken, type CopyOwner } from './token-copy';

export type ProbeName = 'read' | 'payment' | 'password_change';

export type ProbeResult = { probe: ProbeName; allowed: boolean; summary: string };

export type CopyProbes = {
  checkedAt: string;
  mode: 'stateless' | 'revocation-list';
  /** The copy's `exp`, and whether it had passed when tried. */
  expiresAt: string;
  expired: boolean;
  results: ProbeResult[];
};

/** Sends a read with `token` as the access cookie and answers the HTTP status. */
export type ReadWithToken = (token: string) => Promise<number>;

/** The real thing: GET /api/me on this server's own socket, over HTTP like any client's request. */
export const readThroughOwnServer: ReadWithToken = async (token) => {
  const origin = ownServerOrigin();
  if (!origin) throw new Error('this server has not learned its own address');
  const response = await fetch(`${origin}/api/me`, {
    headers: { cookie: `${cookieNames().access}=${token}` },
    redirect: 'manual',
    cache: 'no-store',
    signal: AbortSignal.timeout(5_000),
  });
  await response.body?.cancel();
  return response.status;
};

/** A cookie jar for the copy's requests whose writes reach no browser. */
const nowhere = { set: () => undefined };

/**
 * Tries the owner's copy: a read, a payment, a password change. Null when `owner` has no copy (or is
 * not its owner). `headers` are the owner's own same-origin request's, which a thief on a copied
 * browser would send too.
 */
export async function probeCopy(
  owner: CopyOwner & { email: string },
  request: { headers: SensitiveRequest['headers']; now: Date },
  readWithToken: ReadWithToken = readThroughOwnServer,
): Promise<CopyProbes | null> {
  const copy = await findCopiedToken(owner);
  if (!copy) return null;
  const thief: SensitiveRequest = { headers: request.headers, accessToken: copy.token, mayRenew: false, cookies: nowhere, now: request.now };
  const expired = copy.expiresAt.getTime() <= request.now.getTime();

  const read = await tryRead(readWithToken, copy.token, expired);
  const payment = await runSensitiveAction(
    sendPaymentDefinition,
    thief,
    formData({ recipient: owner.email, amount: '1.00', idempotencyKey: randomUUID() }),
  );
  const passwordChange = await runSensitiveAction(
    changePasswordDefinition,
    thief,
    formData({
      currentPassword: `not the password ${randomUUID()}`,
      newPassword: `chosen by a thief ${randomUUID()}`,
      confirmPassword: 'does not match either',
    }),
  );
  return {
    checkedAt: request.now.toISOString(),
    mode: getConfig().ACCESS_TOKEN_CHECK,
    expiresAt: copy.expiresAt.toISOString(),
    expired,
    results: [read, actionResult('payment', payment), actionResult('password_change', passwordChange)],
  };
}

async function tryRead(readWithToken: ReadWithToken, token: string, expired: boolean): Promise<ProbeResult> {
  let status: number;
  try {
    status = await readWithToken(token);
  } catch (error) {
    console.error('Lab: the read with the copy could not be sent', error);
    return { probe: 'read', allowed: false, summary: 'The request could not be sent to this server.' };
  }
  if (status === 200) {
    return { probe: 'read', allowed: true, summary: 'GET /api/me answered 200 with your account: the copy still reads.' };
  }
  const why = expired
    ? 'the token has expired'
    : getConfig().ACCESS_TOKEN_CHECK === 'revocation-list'
      ? 'its session is on the revocation list'
      : 'refused';
  return { probe: 'read', allowed: false, summary: `GET /api/me answered ${status}: ${why}.` };
}

function actionResult(probe: 'payment' | 'password_change', state: ActionState<unknown>): ProbeResult {
  if (state.status === 'success') return { probe, allowed: true, summary: state.message };
  if (state.status !== 'error') return { probe, allowed: false, summary: 'Nothing ran.' };
  const why: Partial<Record<typeof state.code, string>> = {
    session_ended: 'the session row is revoked, so the checked path refused it before anything ran.',
    session_expired: 'the token has expired (and the copy has no refresh token to renew it).',
  };
  return { probe, allowed: false, summary: `Refused: ${why[state.code] ?? `${state.message} (${state.code})`}` };
}

function formData(values: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(values)) data.set(name, value);
  return data;
}
