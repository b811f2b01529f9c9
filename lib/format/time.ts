/**
 * Times for people: a date and time in the reader's own time zone, and "in 4 minutes" / "3 minutes
 * ago" in words. Browser-safe (no server code, no zod): pages render these in client components, where
 * the browser's time zone is known. The server renders the same instant in UTC, labelled, until then.
 * UTC and the runtime's own zone are written from Date's fields; any other zone goes through an Intl
 * formatter, made once per zone and kept.
 */

const LOCALE = 'en';

const formatters = new Map<string, Intl.DateTimeFormat>();

/** One formatter per shape and zone (`undefined`: the runtime's own), made on first use. */
function formatter(shape: 'date-time' | 'time', timeZone: string | undefined, options: Intl.DateTimeFormatOptions) {
  const key = `${shape} ${timeZone ?? ''}`;
  let made = formatters.get(key);
  if (!made) {
    made = new Intl.DateTimeFormat(LOCALE, { ...options, timeZone });
    formatters.set(key, made);
  }
  return made;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (value: number) => String(value).padStart(2, '0');

type Parts = { year: number; month: number; day: number; hours: number; minutes: number; seconds: number };

/**
 * The calendar and clock fields of `date` in UTC or in the runtime's own zone (the browser's, in the
 * browser), read from Date itself; null for any other zone, or a year outside 1000-9999 (where Intl's
 * shapes differ), which Intl formats. Making the first Intl formatter of a page loads locale data, a
 * long task of its own while the page hydrates, so the two zones pages use are written without it.
 */
function partsOf(date: Date, timeZone: string | undefined): Parts | null {
  let parts: Parts;
  if (timeZone === 'UTC') {
    parts = { year: date.getUTCFullYear(), month: date.getUTCMonth(), day: date.getUTCDate(), hours: date.getUTCHours(), minutes: date.getUTCMinutes(), seconds: date.getUTCSeconds() };
  } else if (timeZone === undefined) {
    parts = { year: date.getFullYear(), month: date.getMonth(), day: date.getDate(), hours: date.getHours(), minutes: date.getMinutes(), seconds: date.getSeconds() };
  } else return null;
  return parts.year >= 1000 && parts.year <= 9999 ? parts : null;
}

/** "Nov 28, 2026, 06:30" in `timeZone` (the runtime's own zone when omitted: the browser's, in the browser). */
export function formatDateTime(date: Date, timeZone?: string): string {
  const parts = partsOf(date, timeZone);
  if (parts) return `${MONTHS[parts.month]} ${parts.day}, ${parts.year}, ${two(parts.hours)}:${two(parts.minutes)}`;
  return formatter('date-time', timeZone, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: undefined,
    hourCycle: 'h23',
  }).format(date);
}

/** The time of day only, with seconds: for deadlines a few minutes away ("06:35:12"). */
export function formatTimeOfDay(date: Date, timeZone?: string): string {
  const parts = partsOf(date, timeZone);
  if (parts) return `${two(parts.hours)}:${two(parts.minutes)}:${two(parts.seconds)}`;
  return formatter('time', timeZone, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(date);
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

/** What Intl.RelativeTimeFormat('en', { numeric: 'auto' }) says for one unit before and after now. */
const NEXT_LAST: Partial<Record<Intl.RelativeTimeFormatUnit, [string, string]>> = {
  day: ['tomorrow', 'yesterday'],
  week: ['next week', 'last week'],
  month: ['next month', 'last month'],
  year: ['next year', 'last year'],
};

/**
 * "in 4 minutes", "3 seconds ago", "now". Rounds toward the larger unit only once a whole one has
 * passed, so "in 90 seconds" reads "in 1 minute" and "in 59 seconds" stays in seconds. Written by
 * hand in Intl.RelativeTimeFormat's 'en' words (a unit test compares them): making that formatter
 * loads locale data, a long task of its own in a page's first second.
 */
export function formatRelative(target: Date, now: Date): string {
  const seconds = Math.round((target.getTime() - now.getTime()) / 1000);
  const magnitude = Math.abs(seconds);
  for (const [unit, size] of UNITS) {
    if (magnitude < size) continue;
    const count = Math.trunc(seconds / size);
    const special = Math.abs(count) === 1 ? NEXT_LAST[unit] : undefined;
    if (special) return count > 0 ? special[0] : special[1];
    const amount = `${String(Math.abs(count)).replace(/\B(?=(\d{3})+$)/g, ',')} ${unit}${Math.abs(count) === 1 ? '' : 's'}`;
    return count > 0 ? `in ${amount}` : `${amount} ago`;
  }
  return 'now';
}

/** A countdown: "4 min 05 s", "12 s", "0 s" once passed. */
export function formatCountdown(target: Date, now: Date): string {
  const left = Math.max(0, Math.ceil((target.getTime() - now.getTime()) / 1000));
  const minutes = Math.floor(left / 60);
  const seconds = left % 60;
  return minutes > 0 ? `${minutes} min ${String(seconds).padStart(2, '0')} s` : `${seconds} s`;
}

/** A length of time, such as a token's lifetime: "5 min", "4 min 05 s", "2 s". */
export function formatDuration(totalSeconds: number): string {
  const whole = Math.max(0, Math.round(totalSeconds));
  if (whole >= 60 && whole % 60 === 0) return `${whole / 60} min`;
  return formatCountdown(new Date(whole * 1000), new Date(0));
}

/** A length of time in words, for sentences: "5 minutes", "1 minute 30 seconds", "2 seconds". */
export function formatDurationWords(totalSeconds: number): string {
  const whole = Math.max(0, Math.round(totalSeconds));
  const minutes = Math.floor(whole / 60);
  const seconds = whole % 60;
  const words = (count: number, unit: string) => `${count} ${unit}${count === 1 ? '' : 's'}`;
  if (minutes === 0) return words(seconds, 'second');
  return seconds === 0 ? words(minutes, 'minute') : `${words(minutes, 'minute')} ${words(seconds, 'second')}`;
}
