'use client';

import { formatDateTime, formatRelative } from '@/lib/format/time';
import { useIsClient, useNow } from '@/lib/client/use-now';

/**
 * An instant in the reader's time zone. The server does not know that zone, so it renders UTC,
 * labelled as such; the browser replaces it after hydration. With `relative`, adds "(3 minutes ago)",
 * kept current.
 */
export function LocalTime({ dateTime, relative = false }: { dateTime: string; relative?: boolean }) {
  const isClient = useIsClient();
  const now = useNow(relative ? 1000 : 60_000);
  const date = new Date(dateTime);
  const absolute = isClient ? formatDateTime(date) : `${formatDateTime(date, 'UTC')} UTC`;
  return (
    <time dateTime={dateTime} title={isClient ? `${formatDateTime(date, 'UTC')} UTC` : undefined}>
      {absolute}
      {relative && now ? ` (${formatRelative(date, now)})` : null}
    </time>
  );
}
