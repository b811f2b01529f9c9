/**
 * The /lab copy made the way the "Make a copy and try it" button makes it (lib/lab/token-copy.ts),
 * shared by the lab and revocation-list suites.
 */
import { makeDemoCopy } from '../../lib/lab/token-copy';
import { meta, type signedInUser } from './fixtures';

type Victim = Awaited<ReturnType<typeof signedInUser>>;

/**
 * Makes a demonstration session of `person`'s account at `now`, keeps its access token for `person`'s
 * session and signs the demonstration session out; `person`'s own session is left alone.
 */
export function makeLabCopy(person: Victim, now = new Date()) {
  return makeDemoCopy({
    user: { id: person.user.id, email: person.user.email },
    session: { id: person.session.id },
    meta,
    now,
  });
}
