/**
 * Duplicated access cookies with the default, prefixed cookie names (`__Host-access_token`). The
 * attack and its tests: tests/helpers/duplicated-access-cookies.ts.
 *
 *   node --conditions=react-server --import tsx --import ./tests/helpers/integration-setup.ts --test tests/integration/duplicated-access-cookies.test.ts
 */
// database: sqlite-only — duplicated access cookies are refused from the Cookie header; the database only holds the sessions
import { duplicatedAccessCookieAttacks } from '../helpers/duplicated-access-cookies';

duplicatedAccessCookieAttacks('__Host- names');
