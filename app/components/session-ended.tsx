import { loginPath } from '@/lib/proxy-safe/redirects';
import { SESSION_ENDED } from '@/lib/messages';

/** What a refused sensitive action shows: what happened, and the way back. */
export function SessionEnded({ returnTo }: { returnTo: string }) {
  return (
    <div role="alert" className="message message-error">
      <p>{SESSION_ENDED}</p>
      <p>
        <a href={loginPath(returnTo)}>Sign in again</a>
      </p>
    </div>
  );
}
