/**
 * `npm test`'s step timing (scripts/lib/step-timing.ts): busy core-seconds and the busy share come from
 * the cores' time counters, and the closing table's floor is the busy time spread over every core.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { busyShare, cpuSnapshot, formatStepTable } from '../../scripts/lib/step-timing';

const core = (user: number, nice: number, sys: number, idle: number, irq: number) => ({ times: { user, nice, sys, idle, irq } });

describe('step timing', () => {
  test('a snapshot sums busy time (user, nice, system, interrupts) and idle time over every core', () => {
    assert.deepEqual(cpuSnapshot([core(100, 5, 30, 1_000, 1), core(200, 0, 20, 500, 2)]), { busyMs: 358, idleMs: 1_500 });
  });

  test('between two snapshots: busy core-seconds, and the busy share of all cores\' time', () => {
    const before = { busyMs: 10_000, idleMs: 50_000 };
    assert.deepEqual(busyShare(before, { busyMs: 25_000, idleMs: 55_000 }), { cpuSeconds: 15, busy: 0.75 });
    assert.deepEqual(busyShare(before, before), { cpuSeconds: 0, busy: 0 });
  });

  test('the table totals the steps and gives the least time their work needs on these cores', () => {
    const table = formatStepTable(
      [
        { step: 'test:unit', seconds: 15, cpuSeconds: 28, busy: 0.93 },
        { step: 'test:e2e', seconds: 330, cpuSeconds: 594, busy: 0.9 },
      ],
      2,
    );
    const rows = table.split('\n');
    assert.match(rows.find((row) => row.startsWith('test:unit')) ?? '', /^test:unit\s+15 s\s+28 s\s+93%$/);
    assert.match(rows.find((row) => row.startsWith('test:e2e')) ?? '', /^test:e2e\s+5 min 30 s\s+594 s\s+90%$/);
    // 345 s of wall time, 622 busy core-seconds: 622 / (345 * 2) = 90%; the floor is 622 / 2 = 311 s.
    assert.match(rows.find((row) => row.startsWith('total')) ?? '', /^total\s+5 min 45 s\s+622 s\s+90%$/);
    assert.match(table, /needs at least 5 min 11 s$/);
  });
});
