/** Medians with their spread: every figure the benchmark reports is the median of interleaved rounds. */
export type Spread = { median: number; min: number; max: number; n: number };

export function spread(values: readonly number[]): Spread {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const sorted = [...finite].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], n: sorted.length };
}

/** `1,234 (1,180-1,260)`: the median, then the range of the rounds when there was more than one. */
export function formatSpread(s: Spread, digits = 0, unit = ''): string {
  if (!Number.isFinite(s.median)) return 'n/a';
  const f = (v: number) => v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return s.n > 1 ? `${f(s.median)}${unit} (${f(s.min)}-${f(s.max)})` : `${f(s.median)}${unit}`;
}
