'use client';

import { formatDateTime, formatRelative, formatTimeOfDay } from '@/lib/format/time';
import { useAfterIdle, useClock } from '@/lib/client/use-now';

/**
 * An instant in the reader's time zone. The server does not know that zone, so it renders UTC,
 * labelled as such; the browser replaces it once idle after the page loads (not during hydration,
 * which it would lengthen). With `relative`, adds "(3 minutes ago)", kept current by the page's one
 * clock and redrawn only when the words change. `format="time"` shows the time of day with seconds
 * ("06:35:12"), for instants a few minutes away such as an access token's expiry.
 */
export function LocalTime({
  dateTime,
  relative = false,
  format = 'date-time',
}: {
  dateTime: string;
  relative?: boolean;
  format?: 'date-time' | 'time';
}) {
  const local = useAfterIdle();
  const words = useClock(relative ? (now) => formatRelative(new Date(dateTime), now) : null);
  const date = new Date(dateTime);
  const show = format === 'time' ? formatTimeOfDay : formatDateTime;
  const absolute = local ? show(date) : `${show(date, 'UTC')} UTC`;
  return (
    <time dateTime={dateTime} title={local ? `${formatDateTime(date, 'UTC')} UTC` : undefined}>
      {absolute}
      {words ? ` (${words})` : null}
    </time>
  );
}
