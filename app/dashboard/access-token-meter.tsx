'use client';

import { formatCountdown, formatDuration, formatTimeOfDay } from '@/lib/format/time';
import { accessTokenLeft, type AccessTokenPhase } from '@/lib/client/session-clock';
import styles from './dashboard.module.css';

const PHASE_WORDS: Record<AccessTokenPhase, string> = {
  valid: 'Valid',
  expiring: 'Expires soon',
  expired: 'Expired',
};

/**
 * The access token's lifetime as a bar that runs down. A meter (role="meter") whose value is the
 * seconds left, with the same fact in words beside it and in `aria-valuetext`: the colour is never
 * the only signal. Drawn only in the browser (`now` is null on the server and while hydrating),
 * because its value depends on the reader's clock.
 */
export function AccessTokenMeter({
  token,
  now,
  renewing,
}: {
  token: { issuedAt: string; expiresAt: string };
  now: Date | null;
  renewing: boolean;
}) {
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
        {/* Width set through the DOM after hydration, never as server-rendered inline style (the CSP has no 'unsafe-inline'). */}
        <div className={styles.meterFill} style={{ width: `${(left.fraction * 100).toFixed(2)}%` }} />
      </div>
      <p className={styles.meterText}>{words}</p>
    </div>
  );
}
