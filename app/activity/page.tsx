import type { Metadata } from 'next';
import Link from 'next/link';
import { activityPosition, listSecurityEvents, type ActivityEvent } from '@/lib/audit/activity-log';
import { ALARM_EXPLANATIONS, ALARMING_EVENTS, securityEventLabel } from '@/lib/audit/event-labels';
import { verifyLiveSession, verifySessionOrRedirect } from '@/lib/dal';
import { describeDevice } from '@/lib/format/device';
import { LocalTime } from '../components/local-time';
import { SessionEnded } from '../components/session-ended';
import styles from './activity.module.css';

export const metadata: Metadata = { title: 'Activity' };

type Props = { searchParams: Promise<{ before?: string | string[]; after?: string | string[] }> };

/**
 * The account's security events, newest first, as the code paths that acted wrote them
 * (lib/audit/security-events.ts): never reconstructed. Paged by cursor (lib/audit/activity-log.ts).
 */
export default async function ActivityPage({ searchParams }: Props) {
  const claims = await verifySessionOrRedirect('/activity');
  // This page reads the account's records from the database anyway, so it checks the session row too:
  // a copied token of an ended session sees "your session has ended", not devices, addresses, history.
  if (!(await verifyLiveSession()).ok) {
    return (
      <>
        <h1>Activity</h1>
        <SessionEnded returnTo="/activity" />
      </>
    );
  }
  const position = activityPosition(await searchParams);
  const page = await listSecurityEvents(claims.userId, position === 'invalid' ? { from: 'newest' } : position);
  const firstPage = position === 'invalid' || position.from === 'newest';
  return (
    <>
      <h1>Activity</h1>
      <p className="lede">
        What happened to your account, newest first: sign-ins, failed attempts, sign-outs, password changes and
        payments, with the IP address and device of the request. Times are in your time zone.
      </p>
      {position === 'invalid' ? (
        <div role="alert" className="message message-error">
          That page link is not valid. Showing your newest activity instead.
        </div>
      ) : null}
      {page.events.length === 0 ? (
        <p className="muted">{firstPage ? 'No activity yet.' : 'No more activity here.'}</p>
      ) : (
        <ol className={styles.events}>
          {page.events.map((event) => (
            <EventItem key={event.id} event={event} />
          ))}
        </ol>
      )}
      <Pagination newer={page.newer} older={page.older} firstPage={firstPage} />
    </>
  );
}

/**
 * One event as one compact row: what happened (a heading, so a screen reader can jump between
 * events), then when, the device and the IP address. A warning keeps its explanation and what to do.
 */
function EventItem({ event }: { event: ActivityEvent }) {
  const alarming = ALARMING_EVENTS.has(event.type);
  return (
    <li className={`${styles.event} ${alarming ? styles.alarm : ''}`}>
      <div className={styles.what}>
        <h2 className={styles.title}>
          {alarming ? <span className={styles.warning}>Warning: </span> : null}
          {securityEventLabel(event.type)}
        </h2>
        {alarming ? (
          <p>
            {ALARM_EXPLANATIONS[event.type]} If that was not you on another device,{' '}
            <Link href="/settings/password">change your password</Link> and check your <Link href="/sessions">sessions</Link>.
          </p>
        ) : event.detail ? (
          <p className={styles.detail}>{event.detail}</p>
        ) : null}
      </div>
      <dl className={styles.facts}>
        <div className={styles.when}>
          <dt className="visually-hidden">When</dt>
          <dd>
            <LocalTime dateTime={event.createdAt.toISOString()} />
          </dd>
        </div>
        <div>
          <dt className="visually-hidden">Device</dt>
          <dd>{describeDevice(event.userAgent)}</dd>
        </div>
        <div>
          <dt>IP</dt>
          <dd>{event.ipAddress ?? 'unknown'}</dd>
        </div>
      </dl>
    </li>
  );
}

function Pagination({ newer, older, firstPage }: { newer: string | null; older: string | null; firstPage: boolean }) {
  if (!newer && !older && firstPage) return null;
  return (
    <nav aria-label="Activity pages" className={styles.pages}>
      {firstPage ? null : <Link href="/activity">Newest</Link>}
      {newer ? (
        <Link href={`/activity?${new URLSearchParams({ after: newer })}`} rel="prev">
          Newer events
        </Link>
      ) : null}
      {older ? (
        <Link href={`/activity?${new URLSearchParams({ before: older })}`} rel="next">
          Older events
        </Link>
      ) : null}
    </nav>
  );
}
