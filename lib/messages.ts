/**
 * User-facing messages that more than one place shows. They say what to do and reveal nothing: no
 * "no such account", no stack trace, no echo of what was typed.
 */
export const INVALID_CREDENTIALS = 'Invalid email or password';
export const TOO_MANY_ATTEMPTS = 'Too many failed attempts. Try again later.';
export const SESSION_ENDED = 'Your session has ended. Sign in again.';
export const NOT_SIGNED_IN = 'Not signed in';
export const SIGNUP_DONE = 'Your account is ready. Sign in with your email and password.';
export const UNEXPECTED_ERROR = 'Something went wrong on our side. Reload the page to see where things stand before trying again.';
export const SERVICE_UNAVAILABLE = 'The service is unavailable right now. Nothing was changed. Try again in a moment.';
