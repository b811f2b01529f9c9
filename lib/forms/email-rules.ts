/**
 * The email address rules, without zod, so the browser can check an address before sending it and the
 * server's schema (lib/forms/validation.ts `emailField`) can run the very same function: one rule, two
 * places, no drift. Addresses are checked as stored: trimmed and lower-cased.
 *
 * Only ASCII addresses are accepted, and the refusal says so. Accepting internationalised ones safely
 * would mean normalising domains to punycode and local parts to one Unicode form, and deciding what to
 * do about look-alike letters (a Cyrillic "а" in "аlice"): one person, two accounts, or a payment to the
 * wrong one. Not worth it for a demo whose accounts are compared as plain strings.
 */

/** RFC 5321's limit on a forward path; also what the schema stores at most. */
export const EMAIL_MAX_LENGTH = 254;

/** zod 4's default email pattern, so what the schema accepted before is what it accepts now. */
const EMAIL_PATTERN = /^(?:[A-Za-z0-9_'+-]+\.)*[A-Za-z0-9_'+-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/;

export const EMAIL_MESSAGES = {
  invalid: 'Enter a valid email address.',
  notAscii: 'Use an address with only ASCII letters (a to z, no accents), digits, dots, hyphens, underscores, plus signs or apostrophes.',
  tooLong: 'That email address is too long.',
} as const;

/** The address as accounts store it. */
export function normaliseEmail(value: string): string {
  return value.trim().toLowerCase();
}

/**
 * What is wrong with an address (already normalised), or null. Length first: an address too long to
 * store gets that message alone, and the pattern never runs on a long string.
 */
export function emailProblem(value: string): string | null {
  if (value.length > EMAIL_MAX_LENGTH) return EMAIL_MESSAGES.tooLong;
  if (/[^\x00-\x7f]/.test(value)) return EMAIL_MESSAGES.notAscii;
  return EMAIL_PATTERN.test(value) ? null : EMAIL_MESSAGES.invalid;
}

/** What is wrong with an address as a person typed it: normalised as stored, then checked. */
export function typedEmailProblem(value: string): string | null {
  return emailProblem(normaliseEmail(value));
}
