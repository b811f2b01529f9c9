/**
 * Duplicated access cookies with COOKIE_SECURE=false: unprefixed names (`access_token`), which any
 * sibling host can plant beside the app's own. The attack and its tests:
 * tests/helpers/duplicated-access-cookies.ts. A file of its own: configuration is read once per process.
 *
 *   node --conditions=react-server --import tsx --import ./tests/helpers/integration-setup.ts --test tests/integration/duplicated-access-cookies-insecure.test.ts
 */
// database: sqlite-only — duplicated access cookies are refused from the Cookie header; the database only holds the sessions
export {};

process.env.COOKIE_SECURE = 'false';

const { duplicatedAccessCookieAttacks } = await import('../helpers/duplicated-access-cookies');

duplicatedAccessCookieAttacks('COOKIE_SECURE=false');
