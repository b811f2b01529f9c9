/**
 * POST /api/auth/refresh for a session bound by DBSC: it has no refresh token to rotate (withdrawn at
 * registration), and its access cookie is re-minted by the browser's own DBSC refresh, which the
 * browser runs before it lets this request through. So a request carrying a valid access token of a
 * live `dbsc` session is answered with the session's timeline and nothing is written; anything else
 * goes the usual way (a copied refresh cookie is refused as `dbsc_bound`, ./rotation-decision.ts).
 * Why: docs/decisions/0103-dbsc-endpoints.md.
 */
import 'server-only';
import { db } from '../db/client';
import { readSessionTimeline, type SessionTimeline } from './session-timeline';

/** The timeline of `sessionId` when it is a live `dbsc` session of `userId`; else null. */
export async function dbscSessionTimeline(sessionId: string, userId: string, now: Date): Promise<SessionTimeline | null> {
  const row = await db().session.findUnique({ where: { id: sessionId }, select: { bindingKind: true } });
  if (row?.bindingKind !== 'dbsc') return null;
  const timeline = await readSessionTimeline(sessionId, userId, now);
  return timeline?.state === 'active' ? timeline : null;
}
