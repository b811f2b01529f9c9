/**
 * Whether an action that requires recent authentication may run, given the session's binding, whether
 * this request showed the session's page key, and UNBOUND_SESSION_POLICY. `step-up` (the default): a
 * session acts on the strength of its key or of the password typed with this very action (a window of
 * 0: no earlier entry counts, not even one a second ago in another request). A bound session whose
 * request proves its page key keeps REAUTH_MAX_AGE_SECONDS; an unbound one, or a bound one whose request
 * shows no key (a copied access token, a page that lost its key), types the password, since its copied
 * cookies could act anywhere. `allow` gives every session the window. Never weaker than the window
 * alone. Pure; applied in ./checked-action.ts. Why: docs/decisions/0107-session-tier-and-unbound-policy.md,
 * docs/decisions/0110-a-bound-session-acts-with-its-key.md.
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
  /** This request carried a proof by the key the session was bound to at sign-in (./page-key.ts). */
  keyShown: boolean;
  policy: UnboundSessionPolicy;
  authenticatedAt: Date;
  now: Date;
  reauthMaxAgeSeconds: number;
}): RecentAuthenticationRule {
  if (input.policy !== 'allow' && !(isBound(input.bindingKind) && input.keyShown)) return 'password_with_action';
  const ageMs = input.now.getTime() - input.authenticatedAt.getTime();
  return ageMs > input.reauthMaxAgeSeconds * 1000 ? 'reauth_required' : 'fresh';
}
