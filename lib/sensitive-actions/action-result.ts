/**
 * The one result type of every server action: a discriminated union the form renders. Expected
 * failures are values, never exceptions; no field ever carries a password or a token back.
 */
import type { FieldErrors } from '../forms/validation';

export type ActionErrorCode =
  /** Access token expired: the client refreshes once and retries (lib/client/use-sensitive-action.ts). */
  | 'session_expired'
  /** No usable session: missing or forged token, or the session row is revoked or timed out. */
  | 'session_ended'
  /** The password was typed too long ago for this action: confirm it, then the action proceeds. */
  | 'reauth_required'
  /**
   * This session is not bound to the browser (UNBOUND_SESSION_POLICY=step-up): send the same action again
   * with the password in its `password` field; no earlier entry counts. Nothing ran.
   */
  | 'password_required'
  | 'invalid_input'
  | 'throttled'
  /** A business rule said no (insufficient funds, unknown recipient, ...). */
  | 'refused'
  | 'cross_origin'
  /** The server's bounded password-hashing queue is full: nothing ran; try again in a moment. */
  | 'busy'
  | 'unexpected';

export type ActionState<T = undefined> =
  | { status: 'idle' }
  | { status: 'success'; message: string; data?: T }
  | { status: 'error'; code: ActionErrorCode; message: string; fieldErrors?: FieldErrors };

/** A server action as `useActionState` calls it: the previous state and the submitted form in, the next state out. */
export type ServerAction<T> = (previous: ActionState<T>, formData: FormData) => Promise<ActionState<T>>;

export function actionError(code: ActionErrorCode, message: string, fieldErrors?: FieldErrors): ActionState<never> {
  return fieldErrors ? { status: 'error', code, message, fieldErrors } : { status: 'error', code, message };
}
