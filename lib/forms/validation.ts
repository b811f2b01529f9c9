/**
 * Input schemas, one per form or JSON body, shared by route handlers, server actions and tests so the
 * rules cannot drift apart. Messages are written for the person filling in the form.
 */
import { z } from 'zod';
import { emailProblem, normaliseEmail } from './email-rules';
import { newPasswordProblem, PASSWORD_MAX_LENGTH, PASSWORD_MESSAGES, PASSWORD_MIN_LENGTH, passwordProblem } from './password-rules';

export { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH };

/**
 * A zod check from one of the zod-free rules (lib/forms/email-rules.ts, password-rules.ts, and
 * lib/format/money.ts): the browser runs the same function before sending, so the two cannot drift.
 */
export function ruleCheck(problem: (value: string) => string | null) {
  return (value: string, context: z.RefinementCtx) => {
    const message = problem(value);
    if (message) context.addIssue({ code: 'custom', message });
  };
}

/** Emails are compared lower-cased and trimmed, so Alice@Example.com and alice@example.com are one. */
export const emailField = z
  .string({ error: 'Enter your email address.' })
  .transform(normaliseEmail)
  .superRefine(ruleCheck(emailProblem));

/** Sign-in takes any non-empty password up to the maximum: rules apply when one is chosen. */
const passwordField = z.string({ error: PASSWORD_MESSAGES.missing }).superRefine(ruleCheck(passwordProblem));

/** ASVS 6.2.1 / 6.2.9: at least 12 characters, at most 128, any characters (spaces and unicode too). */
const newPasswordField = z.string({ error: PASSWORD_MESSAGES.choose }).superRefine(ruleCheck(newPasswordProblem));

export const loginSchema = z.object({ email: emailField, password: passwordField });
export const signupSchema = z.object({ email: emailField, password: newPasswordField });

/** The password a signed-in person types to prove it is them: any non-empty password. */
const currentPasswordField = z
  .string({ error: 'Enter your current password.' })
  .min(1, { error: 'Enter your current password.' })
  .max(PASSWORD_MAX_LENGTH, { error: `Passwords are at most ${PASSWORD_MAX_LENGTH} characters.` });

/**
 * Each field says what is wrong with it, once. The cross-field rules speak only when the fields they
 * compare are filled in and valid on their own: an all-empty form is three "enter this" messages, not
 * "choose a password different from your current one" under an empty field.
 */
export const passwordChangeSchema = z
  .object({
    currentPassword: currentPasswordField,
    newPassword: z
      .string({ error: 'Choose a new password.' })
      .min(1, { error: 'Choose a new password.', abort: true })
      .pipe(newPasswordField),
    confirmPassword: z
      .string({ error: 'Type the new password again.' })
      .min(1, { error: 'Type the new password again.' }),
  })
  .refine((v) => v.confirmPassword === '' || v.newPassword === v.confirmPassword, {
    path: ['confirmPassword'],
    error: 'The two new passwords do not match.',
  })
  .refine((v) => v.newPassword.length < PASSWORD_MIN_LENGTH || v.newPassword !== v.currentPassword, {
    path: ['newPassword'],
    error: 'Choose a password different from your current one.',
  });

export const confirmPasswordSchema = z.object({ password: passwordField });

/** /sessions: end one other session by id, or every other session. */
export const signOutSessionsSchema = z.discriminatedUnion('scope', [
  z.object({ scope: z.literal('one'), sessionId: z.uuid({ error: 'That session could not be found.' }) }),
  z.object({ scope: z.literal('others') }),
]);

/** Field errors keyed by field name, the shape forms render beside each input. */
export type FieldErrors = Record<string, string[]>;

export function fieldErrors(error: z.ZodError): FieldErrors {
  return z.flattenError(error).fieldErrors as FieldErrors;
}
