/**
 * The session-row check behind the live tier of the data access layer (lib/dal.ts `verifyLiveSession`):
 * one read by primary key that says whether a session is still live. A valid access token for an
 * ended session fails here; this is the query the benchmark's "session check" measures.
 */
import 'server-only';
import { db } from '../db/client';
import { sessionState, type SessionState } from './session-policy';
import type { SessionRecord } from './session-types';
import type { SessionUser } from '../auth/user';

export type SessionLookup =
  | { ok: true; session: SessionRecord; user: SessionUser }
  | { ok: false; reason: 'missing' | 'wrong_user' | Exclude<SessionState, 'active' | 'revoked'> }
  /** `revokedReason`: why the row was revoked (./session-types.ts `RevocationReason`). */
  | { ok: false; reason: 'revoked'; revokedReason: string | null };

/** The row must exist, belong to `userId`, and be neither revoked nor idle- nor absolute-expired at `now`. */
export async function findActiveSession(sessionId: string, userId: string, now = new Date()): Promise<SessionLookup> {
  const row = await db().session.findUnique({
    where: { id: sessionId },
    include: { user: { select: { id: true, email: true } } },
  });
  if (!row) return { ok: false, reason: 'missing' };
  if (row.userId !== userId) return { ok: false, reason: 'wrong_user' };
  const state = sessionState(row, now);
  if (state === 'revoked') return { ok: false, reason: state, revokedReason: row.revokedReason };
  if (state !== 'active') return { ok: false, reason: state };
  const { user, ...session } = row;
  return { ok: true, session, user };
}
