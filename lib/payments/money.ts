/**
 * Money as integer cents, parsed from text without ever passing through a float (0.1 + 0.2 !== 0.3).
 */
import { z } from 'zod';

/** Per-payment limit, a documented business rule: 500.00. */
export const PAYMENT_MAX_CENTS = 50_000;

export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100).toLocaleString('en-US');
  return `${sign}${whole}.${String(abs % 100).padStart(2, '0')}`;
}

/**
 * "12", "12.5" and "12.50" are accepted. Signs, exponents, more than two decimals and commas are not:
 * "0,25" means a quarter in much of the world and 25 in the rest, so a comma is refused rather than
 * guessed at (a guess could pay a thousand times too much).
 */
export const amountField = z
  .string({ error: 'Enter an amount.' })
  .trim()
  .min(1, { error: 'Enter an amount.' })
  .pipe(
    z
      .string()
      .regex(/^\d{1,9}(\.\d{1,2})?$/, { error: 'Enter an amount like 12.50: digits, a dot, at most two decimals.' })
      .transform((v) => {
        const [whole, fraction = ''] = v.split('.');
        return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
      })
      .pipe(
        z
          .number()
          .int()
          .positive({ error: 'The amount must be more than 0.00.' })
          .max(PAYMENT_MAX_CENTS, { error: `The most you can send in one payment is ${formatCents(PAYMENT_MAX_CENTS)}.` }),
      ),
  );
