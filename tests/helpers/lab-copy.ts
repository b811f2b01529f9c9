/**
 * The /lab copy made the way the "Make a copy and try it" button makes it (lib/lab/token-copy.ts),
 * shared by the lab and revocation-list suites, and the lab's actions.
 */
import { labActionDefinitions } from '../../lib/lab/lab-actions';
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

/**
 * The lab's action definitions as the page runs them, with the same-origin headers of
 * `sensitiveRequestWith` standing in for next/headers (no Next.js request in these tests).
 */
export const { keepTokenCopyDefinition, tryTokenCopyDefinition, startRefreshCopyDefinition, finishRefreshCopyDefinition } = labActionDefinitions(async () =>
  new Headers({ origin: 'http://localhost:3000', host: 'localhost:3000' }),
);
