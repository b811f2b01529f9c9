/**
 * A DBSC binding carried to the row `replaceSession` makes (step-up, password change: the browser
 * that typed the password continues in a new session, lib/session/session-store.ts). The browser
 * keeps sending the same Sec-Secure-Session-Id and signing the challenges it cached, so the identifier
 * and the outstanding challenges move to the new row, and its next DBSC refresh mints the new
 * session's access token. Why: docs/decisions/0103-dbsc-endpoints.md.
 */
import 'server-only';
import type { Prisma } from '../generated/prisma/client';

type Writer = Pick<Prisma.TransactionClient, 'session' | 'bindingChallenge'>;

/** The old row lets go of the identifier first: it is unique. */
export async function releaseDbscSessionId(tx: Writer, sessionId: string): Promise<void> {
  await tx.session.update({ where: { id: sessionId }, data: { dbscSessionId: null } });
}

export async function moveDbscChallenges(tx: Writer, fromSessionId: string, toSessionId: string): Promise<void> {
  await tx.bindingChallenge.updateMany({ where: { sessionId: fromSessionId }, data: { sessionId: toSessionId } });
}
