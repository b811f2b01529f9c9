/**
 * Every way a session is revoked, each done the way the app does it (the real code path, with the
 * real definitions): the attack suites check what a copy of the revoked session's access token can
 * still do afterwards, in each ACCESS_TOKEN_CHECK mode.
 */
import assert from 'node:assert/strict';
import { db } from '../../lib/db/client';
import { signOut } from '../../lib/auth/sign-out';
import { signAccessToken } from '../../lib/tokens/access-token';
import { createSession } from '../../lib/session/session-store';
import { rotateRefreshToken } from '../../lib/session/rotate-refresh-token';
import { runSensitiveAction } from '../../lib/sensitive-actions/checked-action';
import { changePasswordDefinition } from '../../lib/sensitive-actions/change-password-action';
import { signOutSessionsDefinition } from '../../lib/sensitive-actions/sign-out-sessions-action';
import { keyProvenForm, meta, PASSWORD, secondsLater, sensitiveRequestWith, type signedInUser } from './fixtures';
import { BindingClient } from './binding-client';
import { keyBindingColumns } from '../../lib/session/binding-columns';

export type Victim = Awaited<ReturnType<typeof signedInUser>>;

/**
 * Another live session of the victim's account, signed in at `now` through the form (another device,
 * bound to its own key, so its password entry at sign-in is recent enough for /sessions).
 */
async function anotherDevice(victim: Victim, now: Date) {
  const key = await BindingClient.generate();
  const binding = keyBindingColumns({ publicKey: key.publicJwk, thumbprint: await key.thumbprint() }, now);
  const { session } = await createSession(victim.user.id, meta, now, db(), binding);
  const accessToken = (await signAccessToken({ userId: victim.user.id, email: victim.user.email, sessionId: session.id }, now)).token;
  return { request: sensitiveRequestWith(accessToken, now).request, form: (values: Record<string, string>) => keyProvenForm(key, values, now) };
}

export const REVOCATIONS: { name: string; revokedReason: string; revoke: (victim: Victim, now: Date) => Promise<unknown> }[] = [
  {
    name: 'logout',
    revokedReason: 'logout',
    revoke: (victim, now) => signOut({ accessToken: victim.accessToken, refreshToken: victim.refreshToken }, meta, now),
  },
  {
    name: 'signed out from another device (/sessions)',
    revokedReason: 'revoked_by_user',
    revoke: async (victim, now) => {
      const device = await anotherDevice(victim, now);
      const result = await runSensitiveAction(signOutSessionsDefinition, device.request, await device.form({ scope: 'one', sessionId: victim.session.id }));
      assert.equal(result.status, 'success', JSON.stringify(result));
    },
  },
  {
    name: 'password changed in another session',
    revokedReason: 'password_changed_elsewhere',
    revoke: async (victim, now) => {
      const device = await anotherDevice(victim, now);
      const result = await runSensitiveAction(
        changePasswordDefinition,
        device.request,
        await device.form({ currentPassword: PASSWORD, newPassword: 'a brand new password here', confirmPassword: 'a brand new password here' }),
      );
      assert.equal(result.status, 'success', JSON.stringify(result));
    },
  },
  {
    name: 'refresh-token reuse detected (RFC 9700 4.14.2)',
    revokedReason: 'refresh_token_reuse',
    revoke: async (victim, now) => {
      assert.equal((await rotateRefreshToken(victim.refreshToken, meta, now)).status, 'rotated');
      const grace = Number(process.env.REFRESH_REUSE_GRACE_SECONDS);
      await rotateRefreshToken(victim.refreshToken, meta, secondsLater(now, grace + 1));
    },
  },
];

/** Asserts the victim's session row is revoked for `reason`. */
export async function assertRevoked(victim: Victim, reason: string) {
  const row = await db().session.findUniqueOrThrow({ where: { id: victim.session.id } });
  assert.ok(row.revokedAt, 'the session is revoked');
  assert.equal(row.revokedReason, reason);
}
