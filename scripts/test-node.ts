/**
 * `npm run test:unit` and `npm run test:integration`: the suite's files, compiled once and run with
 * node's test runner (scripts/lib/node-tests.ts). Files named on the command line run instead of the
 * whole suite. One file can also run straight from its source, through tsx:
 * `node --conditions=react-server --import tsx --test tests/unit/<file>.test.ts` (docs/TESTING.md).
 */
import { runNodeTests, suiteFiles } from './lib/node-tests';

const [suite, ...requested] = process.argv.slice(2);
if (suite !== 'unit' && suite !== 'integration') {
  console.error('usage: node --import tsx scripts/test-node.ts unit|integration [test files...]');
  process.exit(2);
}
process.exit(await runNodeTests(suite, requested.length > 0 ? requested : suiteFiles(suite)));
