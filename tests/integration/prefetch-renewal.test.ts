/**
 * A prefetch of the renewal hop must not rotate. Speculation rules, `<link rel=prefetch>` and older
 * browsers' previews fetch `GET /api/auth/refresh?next=…` (directly, or by following the proxy's
 * redirect from an expired page) and may throw the answer away. Rotated there, the browser keeps the
 * old refresh token; past the reuse grace window its next renewal presents a used token, which reuse
 * detection (RFC 9700 4.14.2) must treat as theft: a false sign-out and a false
 * `refresh_token_reuse` alarm. ASVS 3.5.3: a safe method must not change state. A GET without Fetch
 * Metadata (nothing shows who started it, and an old browser's prefetch may not say it is one) gets
 * the same-origin renewal page instead of a rotation.
 *
 *   node --conditions=react-server --import tsx --import ./tests/helpers/integration-setup.ts --test tests/integration/prefetch-renewal.test.ts
 */
// database: sqlite-only — whether a prefetch may rotate is decided from the request headers before any write
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';
import { meta, secondsLater, signedInUser } from '../helpers/fixtures';
import { apiRequest, setCookies } from '../helpers/http';
import { db } from '../../lib/db/client';
import { cookieNames } from '../../lib/tokens/cookies';
import { hashRefreshToken } from '../../lib/tokens/refresh-token';
import { rotateRefreshToken } from '../../lib/session/rotate-refresh-token';
import { getConfig } from '../../lib/config/config';
import { GET as renewByNavigation } from '../../app/api/auth/refresh/route';
import { proxy } from '../../proxy';

useTestDatabase();

const names = cookieNames();

async function browserSession() {
  const signedIn = await signedInUser(new Date(Date.now() - 60_000));
  return { ...signedIn, cookies: { [names.refresh]: signedIn.refreshToken, [names.hint]: '1' } };
}

function hop(cookies: Record<string, string>, headers: Record<string, string>) {
  return renewByNavigation(
    apiRequest('/api/auth/refresh?next=%2Fdashboard', { method: 'GET', origin: undefined, cookies, headers }),
  );
}

async function isUnused(token: string): Promise<boolean> {
  const row = await db().refreshToken.findUniqueOrThrow({ where: { tokenHash: hashRefreshToken(token) } });
  return row.rotatedAt === null && row.revokedAt === null;
}

/** A same-origin navigation's Fetch Metadata, which alone would rotate: the prefetch header must win. */
const SAME_ORIGIN_NAVIGATION = { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' };

const PREFETCHES: Array<[string, Record<string, string>]> = [
  ['speculation rules prefetch (Sec-Purpose: prefetch)', { ...SAME_ORIGIN_NAVIGATION, 'sec-purpose': 'prefetch' }],
  ['speculation rules prerender (Sec-Purpose: prefetch;prerender)', { ...SAME_ORIGIN_NAVIGATION, 'sec-purpose': 'prefetch;prerender' }],
  ['a typed-URL prefetch from the address bar (Sec-Fetch-Site: none)', { 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate', 'sec-purpose': 'prefetch' }],
  ['a prefetch without Fetch Metadata (Purpose: prefetch)', { purpose: 'prefetch' }],
  ['an old Firefox prefetch (X-Moz: prefetch)', { 'x-moz': 'prefetch' }],
  ['an old preview (X-Purpose: preview)', { 'x-purpose': 'preview' }],
];

describe('prefetch of the renewal hop: nothing speculative rotates (ASVS 3.5.3, RFC 9700 4.14.2)', () => {
  for (const [name, headers] of PREFETCHES) {
    test(`prefetch rotation: ${name}: declined with 503 no-store, no cookie, the token unused`, async () => {
      const browser = await browserSession();
      const response = await hop(browser.cookies, headers);
      assert.equal(response.status, 503, 'a non-2xx answer makes the browser discard the prefetch');
      assert.equal(response.headers.get('cache-control'), 'no-store');
      assert.equal(await response.text(), '', 'not even the renewal page, whose script a prerender would run');
      assert.deepEqual([...setCookies(response).keys()], [], 'nothing set, nothing cleared');
      assert.ok(await isUnused(browser.refreshToken), 'not rotated: there is no successor to lose');
    });
  }

  test('prefetch rotation: the attack end to end: a discarded prefetch, then the real renewal after the grace window stays signed in', async () => {
    const browser = await browserSession();
    await hop(browser.cookies, { ...SAME_ORIGIN_NAVIGATION, 'sec-purpose': 'prefetch' }); // answer discarded
    const later = secondsLater(new Date(), getConfig().REFRESH_REUSE_GRACE_SECONDS + 60);
    const renewal = await rotateRefreshToken(browser.refreshToken, meta, later);
    assert.equal(renewal.status, 'rotated', `not treated as reuse: ${JSON.stringify(renewal)}`);
    assert.equal((await db().session.findUniqueOrThrow({ where: { id: browser.session.id } })).revokedAt, null);
    assert.equal(await db().securityEvent.count({ where: { userId: browser.user.id, type: 'refresh_token_reuse' } }), 0, 'no false alarm');
  });

  test('prefetch rotation: a GET without Fetch Metadata gets the renewal page (renews by POST), never a rotation', async () => {
    const browser = await browserSession();
    const response = await hop(browser.cookies, {});
    assert.equal(response.status, 200);
    assert.match(await response.text(), /<form id="renew" method="post" action="\/api\/auth\/refresh\?next=%2Fdashboard">/);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.deepEqual([...setCookies(response).keys()], []);
    assert.ok(await isUnused(browser.refreshToken));
  });

  test('the person’s own navigation, without a prefetch header, still rotates', async () => {
    const browser = await browserSession();
    const response = await hop(browser.cookies, SAME_ORIGIN_NAVIGATION);
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), '/dashboard');
    assert.equal(await isUnused(browser.refreshToken), false);
  });
});

describe('prefetch of an expired page: the proxy never sends it on to the hop', () => {
  const page = (headers: Record<string, string>) =>
    proxy(apiRequest('/dashboard', { method: 'GET', origin: undefined, cookies: { [names.hint]: '1' }, headers }));

  test('prefetch rotation: a prefetch of /dashboard with an expired token is declined (503 no-store), not redirected to the hop', async () => {
    for (const [name, headers] of PREFETCHES) {
      const response = await page(headers);
      assert.equal(response.status, 503, name);
      assert.equal(response.headers.get('location'), null, name);
      assert.equal(response.headers.get('cache-control'), 'no-store', name);
    }
  });

  test('the proxy’s redirect of a real navigation to the hop is never stored (Cache-Control: no-store)', async () => {
    const response = await page(SAME_ORIGIN_NAVIGATION);
    assert.equal(response.status, 307);
    assert.match(response.headers.get('location') ?? '', /\/api\/auth\/refresh\?next=%2Fdashboard$/);
    assert.equal(response.headers.get('cache-control'), 'no-store');
  });
});
