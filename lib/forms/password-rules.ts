/**
 * Password length rules (ASVS 6.2.1 / 6.2.9) and their messages, without zod: the sign-in and signup
 * forms check them in the browser before sending, and lib/forms/validation.ts builds the server's
 * schemas from the same constants. (Importing validation.ts shipped zod to the client, whose feature
 * probe, `Function("")`, is an eval the Content-Security-Policy refuses and reports.)
 */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

export const PASSWORD_MESSAGES = {
  /** Sign-in and step-up: any non-empty password up to the maximum. */
  missing: 'Enter your password.',
  tooLong: `Passwords are at most ${PASSWORD_MAX_LENGTH} characters.`,
  /** Choosing one (signup, password change). */
  choose: 'Choose a password.',
  newTooShort: `Use at least ${PASSWORD_MIN_LENGTH} characters.`,
  newTooLong: `Use at most ${PASSWORD_MAX_LENGTH} characters.`,
} as const;

/** What is wrong with a password typed to sign in, or null. Lengths count UTF-16 units, as zod does. */
export function passwordProblem(value: string): string | null {
  if (value.length === 0) return PASSWORD_MESSAGES.missing;
  if (value.length > PASSWORD_MAX_LENGTH) return PASSWORD_MESSAGES.tooLong;
  return null;
}

/** What is wrong with a password being chosen, or null. */
export function newPasswordProblem(value: string): string | null {
  if (value.length < PASSWORD_MIN_LENGTH) return PASSWORD_MESSAGES.newTooShort;
  if (value.length > PASSWORD_MAX_LENGTH) return PASSWORD_MESSAGES.newTooLong;
  return null;
}
