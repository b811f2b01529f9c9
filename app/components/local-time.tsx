'use client';

import { formatDateTime, formatRelative, formatTimeOfDay } from '@/lib/format/time';
import { useIsClient, useNow } from '@/lib/client/use-now';

/**
 * An instant in the reader's time zone. The server does not know that zone, so it renders UTC,
 * labelled as such; the browser replaces it after hydration. With `relative`, adds "(3 minutes ago)",
 * kept current. `format="time"` shows the time of day with seconds ("06:35:12"), for instants a few
 * minutes away such as an access token's expiry.
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
  const isClient = useIsClient();
  const now = useNow(relative ? 1000 : 60_000);
  const date = new Date(dateTime);
  const show = format === 'time' ? formatTimeOfDay : formatDateTime;
  const absolute = isClient ? show(date) : `${show(date, 'UTC')} UTC`;
  return (
    <time dateTime={dateTime} title={isClient ? `${formatDateTime(date, 'UTC')} UTC` : undefined}>
      {absolute}
      {relative && now ? ` (${formatRelative(date, now)})` : null}
    </time>
  );
}
