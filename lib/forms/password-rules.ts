/**
 * Password length rules (ASVS 6.2.1 / 6.2.9), without zod: the signup form shows them in the browser,
 * and importing them from lib/forms/validation.ts shipped zod to the client, whose feature probe
 * (`Function("")`) is an eval the Content-Security-Policy refuses and reports.
 */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;
