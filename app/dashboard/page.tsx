import type { Metadata } from 'next';
import Link from 'next/link';
import { verifySessionOrRedirect } from '@/lib/dal';
import { readSessionTimeline, sessionClock } from '@/lib/session/session-timeline';
import { readSessionBinding } from '@/lib/session/session-list';
import { describeTier } from '@/lib/session/binding-tier';
import { getConfig } from '@/lib/config/config';
import { SessionPicture } from './session-picture';
import { WhoAmI } from './who-am-i';
import { Breakable } from './breakable';
import styles from './dashboard.module.css';

export const metadata: Metadata = { title: 'Dashboard' };

/**
 * A read-only page: the stateless tier. It is let in by a verified access token alone and never asks
 * the session row whether it may open, so after logout a copied token still opens it until the token
 * expires. That is the trade-off this app demonstrates, not a bug; sensitive actions re-check the
 * session (lib/sensitive-actions/checked-action.ts).
 *
 * To make the trade-off visible, the page then reads the session row once more, for display only
 * (lib/session/session-timeline.ts): its state, deadlines and last rotation, and its binding tier
 * (lib/session/binding-tier.ts). Nothing that page shows
 * or allows depends on that read; a copied token's dashboard says "Revoked" instead of looking live.
 */
export default async function DashboardPage() {
  const session = await verifySessionOrRedirect('/dashboard');
  const readAt = new Date();
  const [timeline, bindingKind] = await Promise.all([
    readSessionTimeline(session.sessionId, session.userId, readAt),
    readSessionBinding(session.sessionId, session.userId),
  ]);
  const tier = bindingKind === null ? null : describeTier(bindingKind, getConfig().UNBOUND_SESSION_POLICY === 'step-up');
  return (
    <>
      <h1 className={styles.title}>
        Signed in as <Breakable text={session.email} />
      </h1>
      <p className="lede">
        Access tokens live minutes and are checked without a database; the refresh token behind them rotates on every
        renewal and lives in the database, where it can be revoked. Watch both below.
      </p>
      <SessionPicture initial={sessionClock(session, timeline, readAt)} tier={tier} />
      <WhoAmI />
      <div className={`row ${styles.actions}`}>
        <Link href="/payments">Send a payment</Link>
        <Link href="/settings/password">Change password</Link>
      </div>
    </>
  );
}
