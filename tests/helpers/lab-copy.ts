/**
 * The /lab copy of a session's access token made the way the "Sign out and keep a copy" button makes
 * it (lib/lab/token-copy.ts), shared by the lab, revocation-list and revocation suites.
 */
import { keepCopyAndSignOut } from '../../lib/lab/token-copy';
import { meta, recordingJar, type signedInUser } from './fixtures';

type Victim = Awaited<ReturnType<typeof signedInUser>>;

/**
 * Makes the copy of `victim`'s access token at `now`, signing that session out and continuing in a new
 * one; cookies go to `cookies` (a fresh recording jar by default). Null when the session cannot make one.
 */
export function keepLabCopy(victim: Victim, now = new Date(), cookies = recordingJar().jar) {
  return keepCopyAndSignOut({
    user: { id: victim.user.id, email: victim.user.email },
    session: { id: victim.session.id },
    accessToken: victim.accessToken,
    meta,
    now,
    cookies,
  });
}
