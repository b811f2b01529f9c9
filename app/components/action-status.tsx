import type { ActionErrorCode, ActionState } from '@/lib/sensitive-actions/action-result';
import { Alert, LiveRegion } from './field';
import { SessionEnded } from './session-ended';

/**
 * What a sensitive action answered, shown above its form: success in a polite live region that is
 * always present (so it is announced), an ended session with the way back to sign-in, any other error
 * as an alert. An error whose message is shown beside its fields is not repeated in a banner: the
 * first field in error takes focus and its message is read with it. Codes a form handles itself are
 * left out.
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
  const error = state.status === 'error' && !handledElsewhere.includes(state.code) ? state : null;
  const hasFieldErrors = Boolean(error?.fieldErrors && Object.keys(error.fieldErrors).length > 0);
  return (
    <>
      <LiveRegion>{state.status === 'success' ? <Alert kind="success">{state.message}</Alert> : null}</LiveRegion>
      {error?.code === 'session_ended' ? <SessionEnded returnTo={returnTo} /> : null}
      {error && error.code !== 'session_ended' && !hasFieldErrors ? <Alert kind="error">{error.message}</Alert> : null}
    </>
  );
}
