/** Open-redirect defence for `next` (CWE-601): only same-origin paths survive. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loginPath, renewalPath, safeNextPath, signedOutRedirect } from '../../lib/request/redirects';

describe('safeNextPath', () => {
  for (const path of ['/dashboard', '/payments?tab=history', '/settings/password#form', '/a/b/c']) {
    test(`keeps the on-site path ${path}`, () => assert.equal(safeNextPath(path), path));
  }
  for (const hostile of [
    'https://evil.example/',
    '//evil.example/path',
    '/\\evil.example',
    '\\\\evil.example',
    'javascript:alert(1)',
    '/\t/evil.example',
    // Dot segments that normalise into a protocol-relative URL (found in review):
    '/.//evil.example/phish',
    '/a/..//evil.example',
    '/%2e//evil.example',
    '/./\\evil.example',
    '/..//evil.example',
    ' /dashboard',
    'dashboard',
    '',
    null,
    undefined,
  ]) {
    test(`falls back for ${JSON.stringify(hostile)}`, () => assert.equal(safeNextPath(hostile), '/dashboard'));
  }
  test('never bounces into the API (no renewal loop, no logout by link)', () => {
    assert.equal(safeNextPath('/api/auth/logout'), '/dashboard');
    assert.equal(safeNextPath('/api/auth/refresh?next=/api/auth/refresh'), '/dashboard');
  });
  // `url.pathname === '/api'`, not only `/api/…`.
  test('a link with next=/api is not followed into the API root after sign-in', () => {
    assert.equal(safeNextPath('/api'), '/dashboard');
    assert.equal(safeNextPath('/api?x=1'), '/dashboard');
  });
  test("drops Next's internal _rsc query, keeps the page's own", () => {
    assert.equal(safeNextPath('/dashboard?_rsc=1abc2'), '/dashboard');
    assert.equal(safeNextPath('/payments?page=2&_rsc=x&tab=history'), '/payments?page=2&tab=history');
    assert.equal(loginPath('/settings/password?_rsc=x'), '/login?next=%2Fsettings%2Fpassword');
    assert.equal(renewalPath('/payments?_rsc=x#history'), '/api/auth/refresh?next=%2Fpayments%23history');
  });
  test('normalises dot segments before deciding', () => {
    assert.equal(safeNextPath('/dashboard/../api/auth/logout'), '/dashboard');
    assert.equal(safeNextPath('/x/../payments'), '/payments');
  });
});

describe('where a signed-out visitor goes', () => {
  test('through renewal when the hint cookie says a refresh may work', () => {
    assert.equal(signedOutRedirect('/payments', true), '/api/auth/refresh?next=%2Fpayments');
    assert.equal(renewalPath('/payments'), '/api/auth/refresh?next=%2Fpayments');
  });
  // renewalPath sanitises its own input, like loginPath.
  test('open redirect through the renewal hop: renewalPath never carries an off-site next', () => {
    for (const hostile of ['//evil.example', 'https://evil.example/', '/\\evil.example', '/api/auth/logout']) {
      assert.equal(renewalPath(hostile), '/api/auth/refresh?next=%2Fdashboard', hostile);
    }
  });
  test('to the login form otherwise', () => {
    assert.equal(signedOutRedirect('/payments?x=1', false), '/login?next=%2Fpayments%3Fx%3D1');
    assert.equal(loginPath('//evil.example'), '/login?next=%2Fdashboard');
  });
});
