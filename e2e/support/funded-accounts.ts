/**
 * Accounts seeded with the demo password and 1,000.00 for the tests that send money: accounts made by
 * signup start at zero. One per test, so parallel tests never share a balance or a password.
 */
export const FUNDED_ACCOUNTS = {
  passwordChanger: 'e2e-password-changer@example.com',
  payer: 'e2e-payer@example.com',
  stepUp: 'e2e-step-up@example.com',
} as const;
