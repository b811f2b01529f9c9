'use client';

import { formatDateTime, formatRelative, formatTimeOfDay } from '@/lib/format/time';
import { useIsClient, useNow } from '@/lib/client/use-now';

/**
 * An instant in the reader's time zone. The server does not know that zone, so it renders UTC,
 * labelled as such; the browser replaces it after hydration. With `relative`, adds "(3 minutes ago)",
 * kept current. With `timeOfDay`, the time with seconds only ("06:35:12"), for instants seconds apart.
 */
export function LocalTime({
  dateTime,
  relative = false,
  timeOfDay = false,
}: {
  dateTime: string;
  relative?: boolean;
  timeOfDay?: boolean;
}) {
  const isClient = useIsClient();
  const now = useNow(relative ? 1000 : 60_000);
  const date = new Date(dateTime);
  const format = timeOfDay ? formatTimeOfDay : formatDateTime;
  const absolute = isClient ? format(date) : `${format(date, 'UTC')} UTC`;
  return (
    <time dateTime={dateTime} title={isClient ? `${formatDateTime(date, 'UTC')} UTC` : undefined}>
      {absolute}
      {relative && now ? ` (${formatRelative(date, now)})` : null}
    </time>
  );
}
