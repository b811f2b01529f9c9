/**
 * Changing a password (ASVS 7.5.1 / 7.4.3 / 7.2.4), after the caller checked the current one
 * (lib/auth/check-password.ts). One transaction: this session ends (`password_changed`) and the browser
 * continues in a new one (`replaceSession`), the new hash is stored, every other session of the user
 * ends, and the events are written. If the session ended between the check and the change, nothing
 * changes. Why: docs/decisions/0058-new-session-on-password-entry.md.
 */
import 'server-only';
import { recordSecurityEvent } from '../audit/security-events';
import type { RequestMeta } from '../request/request-meta';
import { hashPassword } from './password-hashing';
import { endSessionsTransaction, replaceSession } from '../session/session-store';
import type { IssuedRefreshToken, SessionRecord } from '../session/session-types';

export type PasswordChangeResult =
  | { ok: true; session: SessionRecord; refreshToken?: IssuedRefreshToken; otherSessionsEnded: number }
  | { ok: false; reason: 'session_ended' };

export async function changePassword(
  current: { userId: string; sessionId: string },
  newPassword: string,
  meta: RequestMeta,
  now = new Date(),
): Promise<PasswordChangeResult> {
  const { userId, sessionId } = current;
  // Hashing is slow by design: done before the transaction, which then only writes.
  const passwordHash = await hashPassword(newPassword);
  try {
    return await endSessionsTransaction(async (tx, end) => {
      const replaced = await replaceSession(tx, current, 'password_changed', meta, now);
      if (!replaced) throw new SessionEnded();
      const newSessionId = replaced.session.id;
      await tx.user.update({ where: { id: userId }, data: { passwordHash, passwordChangedAt: now } });
      const otherSessionsEnded = await end(
        { userId, id: { notIn: [sessionId, newSessionId] } },
        // Not `password_changed`: these holders did not type the password, and their sign-in page says why.
        'password_changed_elsewhere',
        now,
      );
      // Recorded under the new session: it is the one whose password entry this was.
      await recordSecurityEvent({ type: 'password_changed', userId, sessionId: newSessionId, meta, now }, tx);
      if (otherSessionsEnded > 0) {
        await recordSecurityEvent(
          {
            type: 'other_sessions_revoked',
            userId,
            sessionId: newSessionId,
            meta,
            now,
            detail: `${otherSessionsEnded} other session${otherSessionsEnded === 1 ? '' : 's'} signed out after the password change.`,
          },
          tx,
        );
      }
      return { ok: true as const, session: replaced.session, refreshToken: replaced.refreshToken, otherSessionsEnded };
    });
  } catch (error) {
    if (error instanceof SessionEnded) return { ok: false, reason: 'session_ended' };
    throw error;
  }
}

/** Thrown inside the transaction to roll it back when the session row is no longer live. */
class SessionEnded extends Error {}
