import type { Metadata } from 'next';
import Link from 'next/link';
import { activityPosition } from '@/lib/audit/activity-log';
import { verifyLiveSession, verifySessionOrRedirect } from '@/lib/dal';
import { describeDevice } from '@/lib/format/device';
import { getConfig } from '@/lib/config/config';
import { listActiveSessionsPage, type ActiveSessionSummary } from '@/lib/session/session-list';
import { describeTier } from '@/lib/session/binding-tier';
import { SessionEnded } from '../components/session-ended';
import { SessionList, type SessionView } from './session-list';
import styles from './sessions.module.css';

export const metadata: Metadata = { title: 'Sessions' };

type Props = { searchParams: Promise<{ before?: string | string[]; after?: string | string[] }> };

/**
 * Every live session of the signed-in user (ASVS 7.5.2), this browser's marked, each other one with a
 * Sign out button. Ending sessions goes through the checked path with step-up
 * (lib/sensitive-actions/sign-out-sessions-action.ts). The other sessions come a page at a time,
 * newest sign-in first (lib/session/session-list.ts `listActiveSessionsPage`); this browser's session
 * is shown on every page.
 */
export default async function SessionsPage({ searchParams }: Props) {
  const claims = await verifySessionOrRedirect('/sessions');
  // This page reads the account's records from the database anyway, so it checks the session row too:
  // a copied token of an ended session sees "your session has ended", not devices, addresses, history.
  if (!(await verifyLiveSession()).ok) {
    return (
      <>
        <h1>Sessions</h1>
        <SessionEnded returnTo="/sessions" />
      </>
    );
  }
  // The same cursor format and strict parsing as /activity: `<milliseconds>.<id>`.
  const position = activityPosition(await searchParams);
  const page = await listActiveSessionsPage(claims.userId, claims.sessionId, position === 'invalid' ? { from: 'newest' } : position);
  const firstPage = position === 'invalid' || position.from === 'newest';
  const config = getConfig();
  const unboundAsksPassword = config.UNBOUND_SESSION_POLICY === 'step-up';
  const view = (row: ActiveSessionSummary): SessionView => ({
    id: row.id,
    device: describeDevice(row.userAgent),
    ipAddress: row.ipAddress,
    signedInAt: row.createdAt.toISOString(),
    lastActiveAt: row.lastActiveAt.toISOString(),
    current: row.id === claims.sessionId,
    tier: describeTier(row.bindingKind, unboundAsksPassword),
  });
  // This device first, on every page, then a page of the others.
  const sessions: SessionView[] = [...(page.current ? [view(page.current)] : []), ...page.others.map(view)];
  const readMinutes = Math.ceil(config.ACCESS_TOKEN_TTL_SECONDS / 60);
  return (
    <>
      <h1>Sessions</h1>
      <p className="lede">
        Every browser and device signed in to your account. If you do not recognise one, sign it out and change your
        password.
      </p>
      <p className="muted">
        Signing a session out ends it at once: it can no longer renew its sign-in, send a payment or change your
        password. A page it already has open may still be readable for up to {readMinutes} minute
        {readMinutes === 1 ? '' : 's'}, until its access token expires. If you have not typed your password in the last few minutes, you will be
        asked for it first{unboundAsksPassword ? '; in a session not bound to its browser, every time' : ''}.
      </p>
      <p className="muted">
        Each session also says whether it is bound to its browser. A bound session can only be kept going by the browser
        that holds its key, so cookies copied from it are of no use on another device for longer than a few minutes.
      </p>
      {position === 'invalid' ? (
        <div role="alert" className="message message-error">
          That page link is not valid. Showing your newest sessions instead.
        </div>
      ) : null}
      <SessionList sessions={sessions} total={page.total} />
      <Pagination newer={page.newer} older={page.older} firstPage={firstPage} />
    </>
  );
}

function Pagination({ newer, older, firstPage }: { newer: string | null; older: string | null; firstPage: boolean }) {
  if (!newer && !older && firstPage) return null;
  return (
    <nav aria-label="Session pages" className={styles.pages}>
      {firstPage ? null : <Link href="/sessions">Newest</Link>}
      {newer ? (
        <Link href={`/sessions?${new URLSearchParams({ after: newer })}`} rel="prev">
          Newer sessions
        </Link>
      ) : null}
      {older ? (
        <Link href={`/sessions?${new URLSearchParams({ before: older })}`} rel="next">
          Older sessions
        </Link>
      ) : null}
    </nav>
  );
}
