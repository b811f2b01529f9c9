import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCountdown, formatDateTime, formatDuration, formatDurationWords, formatRelative, formatTimeOfDay } from '../../lib/format/time';

const now = new Date('2026-11-28T06:30:00Z');
const plus = (seconds: number) => new Date(now.getTime() + seconds * 1000);

test('relative times read as words in the largest whole unit', () => {
  assert.equal(formatRelative(plus(0), now), 'now');
  assert.equal(formatRelative(plus(59), now), 'in 59 seconds');
  assert.equal(formatRelative(plus(90), now), 'in 1 minute');
  assert.equal(formatRelative(plus(4 * 60 + 20), now), 'in 4 minutes');
  assert.equal(formatRelative(plus(-3 * 60), now), '3 minutes ago');
  assert.equal(formatRelative(plus(-86_400), now), 'yesterday');
  assert.equal(formatRelative(plus(7 * 86_400), now), 'next week');
});

test('dates are shown in the time zone asked for, not as ISO strings', () => {
  assert.equal(formatDateTime(now, 'UTC'), 'Nov 28, 2026, 06:30');
  assert.equal(formatDateTime(now, 'America/New_York'), 'Nov 28, 2026, 01:30');
  assert.equal(formatTimeOfDay(now, 'Asia/Kolkata'), '12:00:00');
});

test('a countdown never goes below zero and pads seconds after minutes', () => {
  assert.equal(formatCountdown(plus(245), now), '4 min 05 s');
  assert.equal(formatCountdown(plus(12), now), '12 s');
  assert.equal(formatCountdown(plus(-5), now), '0 s');
});

test('a duration drops zero seconds after whole minutes', () => {
  assert.equal(formatDuration(300), '5 min');
  assert.equal(formatDuration(245), '4 min 05 s');
  assert.equal(formatDuration(2), '2 s');
  assert.equal(formatDuration(0), '0 s');
});

test('a duration in words names its units, singular or plural', () => {
  assert.equal(formatDurationWords(300), '5 minutes');
  assert.equal(formatDurationWords(90), '1 minute 30 seconds');
  assert.equal(formatDurationWords(61), '1 minute 1 second');
  assert.equal(formatDurationWords(2), '2 seconds');
});

test('UTC and the local zone are written in exactly the shapes Intl writes, without making a formatter', () => {
  // Every month, midnight and the last second of a day, single- and double-digit days, a leap day,
  // both ends of a daylight-saving change in New York.
  const instants = ['2026-01-01T00:00:00Z', '2026-12-31T23:59:59Z', '2028-02-29T12:05:09Z', '1999-07-04T09:00:30Z', '2026-03-08T06:59:59Z', '2026-03-08T07:00:00Z'];
  for (let month = 0; month < 12; month++) instants.push(new Date(Date.UTC(2027, month, 9 + month, month * 2, month * 5, month)).toISOString());
  const savedZone = process.env.TZ;
  try {
    for (const [zone, asked] of [['UTC', 'UTC'], ['America/New_York', undefined], ['Asia/Kolkata', undefined]] as const) {
      process.env.TZ = zone;
      const intlDateTime = new Intl.DateTimeFormat('en', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: zone });
      const intlTime = new Intl.DateTimeFormat('en', { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZone: zone });
      for (const iso of instants) {
        const date = new Date(iso);
        assert.equal(formatDateTime(date, asked), intlDateTime.format(date), `${iso} in ${zone}`);
        assert.equal(formatTimeOfDay(date, asked), intlTime.format(date), `${iso} in ${zone}`);
      }
    }
  } finally {
    if (savedZone === undefined) delete process.env.TZ;
    else process.env.TZ = savedZone;
  }
});

test('relative times use exactly the words of Intl.RelativeTimeFormat in English', () => {
  const intl = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  const sizes: [Intl.RelativeTimeFormatUnit, number][] = [['year', 365 * 86_400], ['month', 30 * 86_400], ['week', 7 * 86_400], ['day', 86_400], ['hour', 3600], ['minute', 60], ['second', 1]];
  const offsets = [0, 1, 2, 59, 60, 61, 119, 120, 3599, 3600, 7200, 86_399, 86_400, 172_800, 604_800, 1_209_600, 2_592_000, 5_184_000, 31_536_000, 63_072_000, 3_153_600_000_000];
  for (const offset of offsets) {
    for (const sign of [1, -1]) {
      const seconds = sign * offset;
      const [unit, size] = sizes.find(([, s]) => Math.abs(seconds) >= s) ?? ['second', 1];
      const expected = seconds === 0 ? intl.format(0, 'second') : intl.format(Math.trunc(seconds / size), unit);
      assert.equal(formatRelative(plus(seconds), now), expected, String(seconds));
    }
  }
});
