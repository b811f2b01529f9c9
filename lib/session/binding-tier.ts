/**
 * A session's binding tier (`Session.bindingKind`) in words a person understands, for /sessions and
 * /dashboard, and the one test of "bound" the step-up policy uses. Only the two known bound values count:
 * anything else in the column (a typo, a tier from a newer release) is shown and treated as not bound.
 * Pure: no database. Why: docs/decisions/0107-session-tier-and-unbound-policy.md.
 */

export type BindingTier = 'dbsc' | 'key_proof' | 'none';

/** True only for a tier that ties renewal to a key the browser holds. */
export function isBound(bindingKind: string | null | undefined): boolean {
  return bindingKind === 'dbsc' || bindingKind === 'key_proof';
}

export type TierDescription = {
  /** The tier as read, or `unknown` for a value this release does not know. */
  tier: BindingTier | 'unknown';
  bound: boolean;
  /** A short label, shown as text (never colour alone). */
  label: string;
  /** What it means for the person, in one or two sentences. */
  meaning: string;
};

/**
 * `unboundAsksPassword`: whether UNBOUND_SESSION_POLICY makes an unbound session type the password for
 * every payment and sign-out of other sessions, which the description then says.
 */
export function describeTier(bindingKind: string | null | undefined, unboundAsksPassword: boolean): TierDescription {
  const unboundCost = unboundAsksPassword ? ' Payments and signing out other sessions ask for your password every time.' : '';
  switch (bindingKind) {
    case 'dbsc':
      return {
        tier: 'dbsc',
        bound: true,
        label: 'Bound to this browser by the browser itself (Device Bound Session Credentials)',
        meaning:
          'Your browser holds a key for this session that no web page can read, and renews the sign-in itself. Cookies copied to another device cannot keep this session going.',
      };
    case 'key_proof':
      return {
        tier: 'key_proof',
        bound: true,
        label: 'Bound to a key in this browser',
        meaning:
          'At sign-in this browser made a key that no script can read, and every renewal is signed with it. Cookies copied to another device cannot keep this session going.',
      };
    case 'none':
      return {
        tier: 'none',
        bound: false,
        label: 'Not bound to this browser',
        meaning: `Anyone who copies this session's cookies can keep it going from another device until it is signed out.${unboundCost}`,
      };
    default:
      return {
        tier: 'unknown',
        bound: false,
        label: 'Not bound to this browser (binding not recognised)',
        meaning: `This session records a binding this app does not know, so it is treated as not bound.${unboundCost}`,
      };
  }
}
