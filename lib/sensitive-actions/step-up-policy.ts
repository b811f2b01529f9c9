/**
 * Whether an action that requires recent authentication may run, given the session's binding and
 * UNBOUND_SESSION_POLICY. `step-up` (the default): an unbound session types the password with this very
 * action (a window of 0: no earlier entry counts, not even one a second ago in another request), because
 * its copied cookies could renew it anywhere. A bound session keeps REAUTH_MAX_AGE_SECONDS, as does every
 * session under `allow`. Never weaker than the window alone. Pure; applied in ./checked-action.ts.
 * Why: docs/decisions/0107-session-tier-and-unbound-policy.md.
 */
import { isBound } from '../session/binding-tier';

export const UNBOUND_SESSION_POLICIES = ['step-up', 'allow'] as const;
export type UnboundSessionPolicy = (typeof UNBOUND_SESSION_POLICIES)[number];

/**
 * - `fresh`: the last password entry is recent enough; run the action.
 * - `reauth_required`: confirm the password (step-up), then send the action again.
 * - `password_with_action`: the action itself must carry the password, checked in the same request.
 */
export type RecentAuthenticationRule = 'fresh' | 'reauth_required' | 'password_with_action';

export function recentAuthenticationRule(input: {
  bindingKind: string | null | undefined;
  policy: UnboundSessionPolicy;
  authenticatedAt: Date;
  now: Date;
  reauthMaxAgeSeconds: number;
}): RecentAuthenticationRule {
  if (input.policy !== 'allow' && !isBound(input.bindingKind)) return 'password_with_action';
  const ageMs = input.now.getTime() - input.authenticatedAt.getTime();
  return ageMs > input.reauthMaxAgeSeconds * 1000 ? 'reauth_required' : 'fresh';
}
