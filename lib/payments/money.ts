/**
 * Money as integer cents, parsed from text without ever passing through a float (0.1 + 0.2 !== 0.3).
 * The rules themselves are zod-free, in lib/format/money.ts, so the payment form checks an amount in the
 * browser with the same function before it asks for anything (a password included).
 */
import { z } from 'zod';
import { AMOUNT_MESSAGES, amountProblem, centsOf, CURRENCY, formatCents, PAYMENT_MAX_CENTS } from '../format/money';
import { ruleCheck } from '../forms/validation';

export { CURRENCY, formatCents, PAYMENT_MAX_CENTS };

/**
 * "12", "12.5" and "12.50" are accepted. Signs, exponents, more than two decimals, currency symbols and
 * commas are not: "0,25" means a quarter in much of the world and 25 in the rest, so a comma is refused
 * rather than guessed at (a guess could pay a thousand times too much). A well-formed amount too large
 * to convert exactly is answered with the payment limit, which is the rule it breaks.
 */
export const amountField = z
  .string({ error: AMOUNT_MESSAGES.missing })
  .trim()
  .superRefine(ruleCheck(amountProblem))
  // Checked above: a well-formed amount of at most PAYMENT_MAX_CENTS, so a safe integer of cents.
  .transform((v) => centsOf(v) as number);
