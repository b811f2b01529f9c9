/**
 * The /lab page's copied refresh cookie: a separate demonstration session of the person's account, bound
 * to the key the page holds (the fallback tier, docs/decisions/0102-key-bound-renewal.md), whose refresh
 * token is kept sealed in the database as a thief's copy would be, and never sent to the browser. The
 * tries are in ./refresh-tries.ts. Why and what keeps it safe: docs/decisions/0108-the-labs-refresh-cookie-copy.md.
 */
import 'server-only';
import { db } from '../db/client';
import { recordSecurityEvent } from '../audit/security-events';
import type { SessionUser } from '../auth/user';
import type { RequestMeta } from '../request/request-meta';
import { keyBindingColumns } from '../session/binding-columns';
import { hasPageKey } from '../sensitive-actions/page-key';
import { createSession, endSessionsTransaction } from '../session/session-store';
import { NO_STEP_UP_CREDIT, sealToken, unsealToken } from './token-copy';

/** How long a demonstration session can live at most: the experiment takes a second; a page that dies midway leaves nothing for long. */
export const DEMO_SESSION_SECONDS = 120;

/** Who may use a copy: the user, in the session that made it. */
export type RefreshCopyOwner = { userId: string; sessionId: string };

/**
 * Whether the pressing session has a page key to show (`hasPageKey`, read by id): the experiment shows
 * that key at work, so the page shows it disabled when not.
 */
export async function sessionIsBound(sessionId: string): Promise<boolean> {
  const row = await db().session.findUnique({ where: { id: sessionId }, select: { bindingKind: true, pageKeyThumbprint: true } });
  return row !== null && hasPageKey(row);
}

/**
 * Makes the demonstration session bound to `key`, with no step-up credit and a short life, keeps its
 * refresh token sealed for `session`, and ends the user's previous demonstration if one is left. One
 * transaction, with the security event. Writes no cookie and hands nothing out but the session's id.
 */
export async function makeBoundDemo(request: {
  user: SessionUser;
  session: { id: string };
  key: { publicKey: Parameters<typeof keyBindingColumns>[0]['publicKey']; thumbprint: string };
  meta: RequestMeta;
  now: Date;
}): Promise<{ demoSessionId: string; refreshToken: string }> {
  const { user, session, key, meta, now } = request;
  return endSessionsTransaction(async (tx, end) => {
    const previous = await tx.labRefreshCopy.findUnique({ where: { userId: user.id } });
    if (previous) {
      await end({ id: previous.demoSessionId }, 'logout', now);
      await tx.labRefreshCopy.delete({ where: { userId: user.id } });
    }
    const demo = await createSession(user.id, meta, now, tx, keyBindingColumns(key, now));
    await tx.session.update({
      where: { id: demo.session.id },
      data: { authenticatedAt: NO_STEP_UP_CREDIT, expiresAt: new Date(now.getTime() + DEMO_SESSION_SECONDS * 1000) },
    });
    await tx.labRefreshCopy.create({
      data: {
        userId: user.id,
        ownerSessionId: session.id,
        demoSessionId: demo.session.id,
        sealedRefreshToken: sealToken(demo.refreshToken.token, user.id),
        createdAt: now,
      },
    });
    await recordSecurityEvent(
      {
        type: 'lab_demo_bound',
        userId: user.id,
        sessionId: session.id,
        meta,
        now,
        detail: `Made demonstration session ${demo.session.id} on the lab page, bound to this browser's key, and tried its refresh token from "another device": without the key, and with a key of its own, which ends it (a warning follows). This session was not changed.`,
      },
      tx,
    );
    return { demoSessionId: demo.session.id, refreshToken: demo.refreshToken.token };
  });
}

/** The owner's demonstration: its session id and current refresh token. Null for anyone else, or when there is none. */
export async function findRefreshCopy(owner: RefreshCopyOwner): Promise<{ demoSessionId: string; refreshToken: string } | null> {
  const row = await db().labRefreshCopy.findUnique({ where: { userId: owner.userId } });
  if (!row || row.ownerSessionId !== owner.sessionId) return null;
  const refreshToken = unsealToken(row.sealedRefreshToken, owner.userId);
  return refreshToken ? { demoSessionId: row.demoSessionId, refreshToken } : null;
}

/** Keeps the demonstration's successor token, as the thief's copy would follow a rotation. */
export async function keepRefreshToken(owner: RefreshCopyOwner, refreshToken: string): Promise<void> {
  await db().labRefreshCopy.updateMany({
    where: { userId: owner.userId, ownerSessionId: owner.sessionId },
    data: { sealedRefreshToken: sealToken(refreshToken, owner.userId) },
  });
}

/** Ends the demonstration (a sign-out, if a try has not ended it already) and deletes its copy. */
export async function endDemo(owner: RefreshCopyOwner, demoSessionId: string, now: Date): Promise<void> {
  await endSessionsTransaction(async (tx, end) => {
    await end({ id: demoSessionId, userId: owner.userId }, 'logout', now);
    await tx.labRefreshCopy.deleteMany({ where: { userId: owner.userId, demoSessionId } });
  });
}
