/**
 * User-facing messages that more than one place shows. They say what to do and reveal nothing: no
 * "no such account", no stack trace, no echo of what was typed.
 */
export const INVALID_CREDENTIALS = 'Invalid email or password';
export const SESSION_ENDED = 'Your session has ended. Sign in again.';
/** A key-bound session renewed without its key: the sign-in page's note for `?reason=key_missing`. */
export const KEY_MISSING =
  'This browser no longer holds the key this session was bound to (its site data was cleared). Sign in again.';
/** A key-bound renewal whose proof named a nonce another renewal used first: sign again with the one given. */
export const SIGN_AGAIN = 'Sign the renewal again with the nonce given.';
export const NOT_SIGNED_IN = 'Not signed in';
export const SIGNUP_DONE = 'Your account is ready. Sign in with your email and password.';
export const UNEXPECTED_ERROR = 'Something went wrong on our side. Reload the page to see where things stand before trying again.';
/** A renewal before an action got no answer (the network, a server failing): nothing ran, the session may be fine. */
export const RENEWAL_UNREACHABLE = 'The server could not be reached to renew your sign-in. Nothing was changed. Try again in a moment.';
/** Why an action asks for the password with it: an unbound session, every time (UNBOUND_SESSION_POLICY=step-up). */
export const UNBOUND_PASSWORD_REQUIRED =
  'This session is not bound to this browser, so this action needs your password every time. Enter it to continue.';
/** The same for a bound session whose request did not prove its page key (a copied access token, a page that lost its key). */
export const KEY_NOT_SHOWN_PASSWORD_REQUIRED =
  'This browser did not show the key this session is bound to, so this action needs your password. Enter it to continue.';
/** The lab's key-bound experiment from a page that does not hold the session's key (the server's refusal, or the page finding none). */
export const LAB_KEY_NOT_HERE = 'This browser does not hold this session’s key any more. Sign in again to try it.';
export const SERVICE_UNAVAILABLE = 'The service is unavailable right now. Nothing was changed. Try again in a moment.';

/**
 * "Try again in 15 minutes." from a Retry-After in seconds, so the wait a limit imposes is said in
 * words, not left for the person to guess. Rounded up: "in 1 minute" is never shorter than the lock.
 */
export function tryAgainIn(retryAfterSeconds: number): string {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  if (seconds < 60) return `Try again in ${seconds} second${seconds === 1 ? '' : 's'}.`;
  const minutes = Math.ceil(seconds / 60);
  return `Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
}

/** Too many wrong passwords (sign-in, or a password typed inside a session). */
export function tooManyAttempts(retryAfterSeconds: number): string {
  return `Too many failed attempts. ${tryAgainIn(retryAfterSeconds)}`;
}

/** Too many successful sign-ins (per account or per client address): each one makes a session. */
export function tooManySignIns(retryAfterSeconds: number): string {
  return `Too many sign-ins in a short time. ${tryAgainIn(retryAfterSeconds)}`;
}

export function tooManySignups(retryAfterSeconds: number): string {
  return `Too many sign-up attempts. ${tryAgainIn(retryAfterSeconds)}`;
}
