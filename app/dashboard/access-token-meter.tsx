'use client';

import { formatCountdown, formatDuration, formatTimeOfDay } from '@/lib/format/time';
import { accessTokenLeft, type AccessTokenPhase } from '@/lib/client/session-clock';
import { useNow } from '@/lib/client/use-now';
import styles from './dashboard.module.css';

const PHASE_WORDS: Record<AccessTokenPhase, string> = {
  valid: 'Valid',
  expiring: 'Expires soon',
  expired: 'Expired',
};

/**
 * The access token's lifetime as a bar that runs down. A meter (role="meter") whose value is the
 * seconds left, with the same fact in words beside it and in `aria-valuetext`: the colour is never
 * the only signal. Drawn only in the browser, from the page's clock (null on the server, while
 * hydrating and until the browser is first idle), because its value depends on the reader's clock.
 * It redraws itself every second; the bar runs down by a transform the compositor animates, so the
 * page is not laid out again on every frame.
 */
export function AccessTokenMeter({
  token,
  renewing,
}: {
  token: { issuedAt: string; expiresAt: string };
  renewing: boolean;
}) {
  const now = useNow();
  if (!now) {
    // The drawn meter's rows, not drawn yet, so the page does not move when the clock arrives.
    return (
      <div className={styles.meterBlock} aria-hidden="true">
        <div className={`${styles.meterHeader} invisible`}>
          <span className={styles.meterLabel}>Access token lifetime left</span>
          <span className={styles.badge}>{PHASE_WORDS.valid}</span>
        </div>
        <div className={styles.meterTrack} />
        <p className={styles.meterText}>&nbsp;</p>
      </div>
    );
  }
  const left = accessTokenLeft(token, now);
  const expiresAt = new Date(token.expiresAt);
  const words =
    left.phase === 'expired'
      ? `Expired at ${formatTimeOfDay(expiresAt)}: renews on your next request`
      : `${formatCountdown(expiresAt, now)} left of ${formatDuration(left.lifetimeSeconds)}`;
  const badge = renewing ? 'Renewing…' : PHASE_WORDS[left.phase];
  return (
    <div className={styles.meterBlock} data-phase={renewing ? 'renewing' : left.phase}>
      <div className={styles.meterHeader}>
        <span id="access-token-meter-label" className={styles.meterLabel}>
          Access token lifetime left
        </span>
        <span className={styles.badge}>{badge}</span>
      </div>
      <div
        role="meter"
        aria-labelledby="access-token-meter-label"
        aria-valuemin={0}
        aria-valuemax={left.lifetimeSeconds}
        aria-valuenow={left.secondsLeft}
        aria-valuetext={`${badge}. ${words}`}
        className={styles.meterTrack}
      >
        {/* Set through the DOM after hydration, never as server-rendered inline style (the CSP has no 'unsafe-inline'). */}
        <div className={styles.meterFill} style={{ transform: `translateX(-${((1 - left.fraction) * 100).toFixed(2)}%)` }} />
      </div>
      <p className={styles.meterText}>{words}</p>
    </div>
  );
}
