import type { ActionErrorCode, ActionState } from '@/lib/sensitive-actions/action-result';
import { FormMessage } from './field';
import { SessionEnded } from './session-ended';

/**
 * What a sensitive action answered, shown above its form: success as a status, an ended session with
 * the way back to sign-in, any other error as an alert. Codes a form handles itself are left out.
 */
export function ActionStatus<T>({
  state,
  returnTo,
  handledElsewhere = [],
}: {
  state: ActionState<T>;
  returnTo: string;
  handledElsewhere?: ActionErrorCode[];
}) {
  if (state.status === 'success') return <FormMessage kind="success">{state.message}</FormMessage>;
  if (state.status !== 'error' || handledElsewhere.includes(state.code)) return null;
  if (state.code === 'session_ended') return <SessionEnded returnTo={returnTo} />;
  return <FormMessage kind="error">{state.message}</FormMessage>;
}
