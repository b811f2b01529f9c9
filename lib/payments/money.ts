/**
 * Money as integer cents, parsed from text without ever passing through a float (0.1 + 0.2 !== 0.3).
 */
import { z } from 'zod';
import { AMOUNT_PATTERN, centsOf, CURRENCY, formatCents } from '../format/money';

/** Per-payment limit, a documented business rule: $500.00. */
export const PAYMENT_MAX_CENTS = 50_000;

export { CURRENCY, formatCents };

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
      .regex(AMOUNT_PATTERN, { error: 'Enter an amount like 12.50: digits, a dot, at most two decimals.' })
      // Matched above, so never null. Too many digits comes back as Infinity, which zod's number
      // refuses as a type: it is capped to a finite number that fails the limit below instead.
      .transform((v) => Math.min(centsOf(v) ?? Number.NaN, Number.MAX_SAFE_INTEGER))
      .pipe(
        z
          .number()
          .positive({ error: `The amount must be more than ${formatCents(0)}.` })
          .max(PAYMENT_MAX_CENTS, { error: `The most you can send in one payment is ${formatCents(PAYMENT_MAX_CENTS)}.` })
          .int(),
      ),
  );
