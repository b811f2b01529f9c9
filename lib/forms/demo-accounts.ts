/**
 * The demo accounts `npm install` seeds (scripts/lib/seed.ts; README "Quick start"), for the sign-in
 * page's "fill in" buttons. Zod-free and server-free, so the form can import it. They are public by
 * design: the README and the home page name them too. tests/unit/demo-accounts.test.ts keeps this in
 * step with the seed.
 */
export const DEMO_ACCOUNT_EMAILS = ['alice@example.com', 'bob@example.com'] as const;
export const DEMO_ACCOUNT_PASSWORD = 'correct horse battery staple';
