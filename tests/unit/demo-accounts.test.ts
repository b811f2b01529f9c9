/** The sign-in page offers the demo accounts the seed creates: the two lists cannot drift apart. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEMO_ACCOUNT_EMAILS, DEMO_ACCOUNT_PASSWORD } from '../../lib/forms/demo-accounts';
import { DEMO_PASSWORD, DEMO_USERS } from '../../scripts/lib/seed';

test('the sign-in page names the seeded demo accounts and their password', () => {
  assert.deepEqual([...DEMO_ACCOUNT_EMAILS], [...DEMO_USERS]);
  assert.equal(DEMO_ACCOUNT_PASSWORD, DEMO_PASSWORD);
});
