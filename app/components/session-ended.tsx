import { loginPath } from '@/lib/request/redirects';
import { Alert } from './field';

/** What a refused sensitive action shows: what happened, and the way back, in one sentence. */
export function SessionEnded({ returnTo }: { returnTo: string }) {
  return (
    <Alert kind="error">
      <p>
        Your session has ended. <a href={loginPath(returnTo)}>Sign in again</a>.
      </p>
    </Alert>
  );
}
