/**
 * Money as integer cents, parsed from text without ever passing through a float (0.1 + 0.2 !== 0.3).
 */
import { z } from 'zod';

/** Per-payment limit, a documented business rule: $500.00. */
export const PAYMENT_MAX_CENTS = 50_000;

/** The demo's one currency. Amounts are integer cents of it everywhere; only display names it. */
export const CURRENCY = 'USD';

const MONEY = new Intl.NumberFormat('en-US', { style: 'currency', currency: CURRENCY });

/**
 * "$1,234.50", "-$5.00": with the currency and thousands separators, the same on the server (action
 * messages, audit details) and in the browser. Cents are exact in a double up to 2^53, and the
 * division by 100 happens only here, for display.
 */
export function formatCents(cents: number): string {
  return MONEY.format(cents / 100);
}

/**
 * "12", "12.5" and "12.50" are accepted. Signs, exponents, more than two decimals, currency symbols and
 * commas are not: "0,25" means a quarter in much of the world and 25 in the rest, so a comma is refused
 * rather than guessed at (a guess could pay a thousand times too much). A well-formed amount too large
 * to convert exactly is answered with the payment limit, which is the rule it breaks.
 */
export const amountField = z
  .string({ error: 'Enter an amount.' })
  .trim()
  .min(1, { error: 'Enter an amount.' })
  .pipe(
    z
      .string()
      .regex(/^\d+(\.\d{1,2})?$/, { error: 'Enter an amount like 12.50: digits, a dot, at most two decimals.' })
      .transform((v) => {
        const [digits, fraction = ''] = v.split('.');
        const whole = digits.replace(/^0+(?=\d)/, '');
        // More than nine digits is over any limit this app could have; stop before Number() rounds.
        if (whole.length > 9) return Number.MAX_SAFE_INTEGER;
        return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
      })
      .pipe(
        z
          .number()
          .int()
          .positive({ error: `The amount must be more than ${formatCents(0)}.` })
          .max(PAYMENT_MAX_CENTS, { error: `The most you can send in one payment is ${formatCents(PAYMENT_MAX_CENTS)}.` }),
      ),
  );
