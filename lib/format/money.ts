/**
 * Money for people, browser-safe (no zod, no server code): the payment form shows what it is about to
 * send in the same words the server uses afterwards. Amounts are integer cents everywhere; the text
 * rules (what "12.50" means, the limit) live here once: the form checks an amount with `amountProblem`
 * before sending, and lib/payments/money.ts validates with the same function on the server.
 */

/** The demo's one currency. Amounts are integer cents of it; only display names it. */
export const CURRENCY = 'USD';

const MONEY = new Intl.NumberFormat('en-US', { style: 'currency', currency: CURRENCY });

/**
 * "$1,234.50", "-$5.00": with the currency and thousands separators, the same on the server (action
 * messages, audit details) and in the browser. The division by 100 happens only here, for display.
 */
export function formatCents(cents: number): string {
  return MONEY.format(cents / 100);
}

/** Per-payment limit, a documented business rule: $500.00. */
export const PAYMENT_MAX_CENTS = 50_000;

/** Digits, optionally a dot and one or two decimals. No sign, exponent, comma or currency symbol. */
export const AMOUNT_PATTERN = /^\d+(\.\d{1,2})?$/;

/** More whole digits than this is over any limit the app could have; such amounts are not converted. */
const MAX_WHOLE_DIGITS = 9;

/**
 * The cents of an amount that matches AMOUNT_PATTERN, computed from its digits (never through a float:
 * 0.29 * 100 is 28.999999999999996). Null when the text does not match; Infinity when it has more than
 * nine whole digits, so a limit check refuses it without Number() ever rounding it.
 */
export function centsOf(text: string): number | null {
  if (!AMOUNT_PATTERN.test(text)) return null;
  const [digits, fraction = ''] = text.split('.');
  const whole = digits.replace(/^0+(?=\d)/, '');
  if (whole.length > MAX_WHOLE_DIGITS) return Number.POSITIVE_INFINITY;
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

export const AMOUNT_MESSAGES = {
  missing: 'Enter an amount.',
  format: 'Enter an amount like 12.50: digits, a dot, at most two decimals.',
  notPositive: `The amount must be more than ${formatCents(0)}.`,
  overLimit: `The most you can send in one payment is ${formatCents(PAYMENT_MAX_CENTS)}.`,
} as const;

/**
 * What is wrong with an amount as typed (trimmed here), or null. A minus sign in front of an otherwise
 * well-formed amount ("-5") breaks the "more than $0.00" rule, so that is what it is told, not the
 * format; a plus sign, exponent, comma or currency symbol is refused as format (see
 * lib/payments/money.ts for why a comma is never guessed at).
 */
export function amountProblem(text: string): string | null {
  const value = text.trim();
  if (value === '') return AMOUNT_MESSAGES.missing;
  if (/^[-\u2212]/.test(value) && AMOUNT_PATTERN.test(value.slice(1).trim())) return AMOUNT_MESSAGES.notPositive;
  const cents = centsOf(value);
  if (cents === null) return AMOUNT_MESSAGES.format;
  if (cents <= 0) return AMOUNT_MESSAGES.notPositive;
  if (cents > PAYMENT_MAX_CENTS) return AMOUNT_MESSAGES.overLimit;
  return null;
}
