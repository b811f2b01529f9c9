'use client';

import { formatTimeOfDay } from '@/lib/format/time';
import { useIsPast } from '@/lib/client/use-now';
import { useRenewalsMadeElsewhere, useSessionClock } from '@/lib/client/use-session-clock';
import type { SessionClock } from '@/lib/client/session-clock';
import { SESSION_ENDED } from '@/lib/forms/messages';
import { LocalTime } from '../components/local-time';
import { AccessTokenMeter } from './access-token-meter';
import { SessionRowPanel, type SessionTier } from './session-row-panel';
import styles from './dashboard.module.css';

/**
 * The token lifecycle as a picture: the access token running down, when it was issued, when the
 * refresh token last rotated, and the session's idle and absolute deadlines, then the session row's
 * state. Starts from what the server rendered and redraws after every renewal this tab makes
 * (lib/client/refresh.ts publishes to lib/client/session-clock.ts), such as "Check who I am" below.
 */
export function SessionPicture({ initial, tier }: { initial: SessionClock; tier: SessionTier | null }) {
  const { clock, renewing, lastRenewal, stale } = useSessionClock(initial);
  // Not a tick every second: the picture redraws when a renewal arrives or the token expires; the
  // meter and each relative time keep themselves current.
  const expired = useIsPast(Date.parse(clock.accessToken.expiresAt)) === true;
  useRenewalsMadeElsewhere(expired, stale);
  const row = clock.row;
  return (
    <>
      <section className={`card ${styles.picture}`} aria-labelledby="lifecycle-heading">
        <h2 id="lifecycle-heading">Your tokens, live</h2>
        <AccessTokenMeter token={clock.accessToken} renewing={renewing} />
        <dl className={styles.timeline}>
          <div>
            <dt>Access token issued</dt>
            <dd>
              <LocalTime dateTime={clock.accessToken.issuedAt} format="time" relative />
            </dd>
          </div>
          <div>
            <dt>Access token expires</dt>
            <dd data-testid="access-token-expiry">
              <LocalTime dateTime={clock.accessToken.expiresAt} format="time" relative />
            </dd>
          </div>
          <div>
            <dt>Refresh token last rotated</dt>
            <dd data-testid="refresh-token-rotated">
              {!row ? (
                'Unknown: no session row'
              ) : row.lastRotatedAt ? (
                <>
                  <LocalTime dateTime={row.lastRotatedAt} format="time" relative />
                  <span className="muted"> · {row.rotations === 1 ? '1 rotation' : `${row.rotations} rotations`} so far</span>
                </>
              ) : (
                'Not yet: the one from sign-in is still current'
              )}
            </dd>
          </div>
          <div>
            <dt>Idle deadline</dt>
            <dd data-testid="idle-deadline">
              {row ? (
                <>
                  <LocalTime dateTime={row.idleExpiresAt} relative />
                  <span className={styles.note}>The session ends if nothing renews it by then; each renewal moves it.</span>
                </>
              ) : (
                'Unknown'
              )}
            </dd>
          </div>
          <div>
            <dt>Absolute deadline</dt>
            <dd data-testid="absolute-deadline">
              {row ? (
                <>
                  <LocalTime dateTime={row.absoluteExpiresAt} relative />
                  <span className={styles.note}>The session ends then whatever happens; renewals never move it.</span>
                </>
              ) : (
                'Unknown'
              )}
            </dd>
          </div>
        </dl>
        <p role="status" className={styles.renewalNews}>
          {lastRenewal ? renewalNews(lastRenewal.outcome, lastRenewal.at, clock.accessToken.expiresAt) : null}
        </p>
      </section>
      <SessionRowPanel clock={clock} tier={tier} />
    </>
  );
}

function renewalNews(outcome: 'renewed' | 'refused' | 'unreachable', at: string, expiresAt: string): string {
  if (outcome === 'renewed') {
    return `Renewed at ${formatTimeOfDay(new Date(at))}: the new access token is valid until ${formatTimeOfDay(new Date(expiresAt))}.`;
  }
  if (outcome === 'refused') return `Renewal refused at ${formatTimeOfDay(new Date(at))}. ${SESSION_ENDED}`;
  return `Could not reach the server to renew at ${formatTimeOfDay(new Date(at))}. Check your connection.`;
}
