/**
 * Forced sign-out through the GET renewal hop. A page on another site opens
 * `/api/auth/refresh?next=…` as a top-level navigation (SameSite=Lax cookies go along) and aborts it
 * once the server has rotated: the browser never sees the successor, and past the grace window its
 * next renewal looks like reuse, so the session is revoked and a false `refresh_token_reuse` logged.
 * These tests send the hop as the browser would from another site (its Fetch Metadata, Origin and
 * Referer), "abort" it by discarding the response, and show nothing was rotated.
 *
 *   node --conditions=react-server --import tsx --import ./tests/helpers/integration-setup.ts --test tests/integration/forced-sign-out.test.ts
 */
// database: sqlite-only — whether a GET renewal may rotate is decided from the request headers before any write
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';
import { meta, secondsLater, signedInUser } from '../helpers/fixtures';
import { APP_ORIGIN, apiRequest, setCookies } from '../helpers/http';
import { db } from '../../lib/db/client';
import { cookieNames } from '../../lib/tokens/cookies';
import { hashRefreshToken } from '../../lib/tokens/refresh-token';
import { rotateRefreshToken } from '../../lib/session/rotate-refresh-token';
import { mayRotateOnGet } from '../../lib/route/renewal-hop';
import { GET as renewByNavigation, POST as refresh } from '../../app/api/auth/refresh/route';

useTestDatabase();

const names = cookieNames();
const GRACE_SECONDS = 10;

/** A browser signed in a minute ago: its cookies as a navigation to /api/auth/* carries them. */
async function browserSession() {
  const signedIn = await signedInUser(new Date(Date.now() - 60_000));
  return { ...signedIn, cookies: { [names.refresh]: signedIn.refreshToken, [names.hint]: '1' } };
}

/** The GET hop as a navigation with these request headers (GET navigations carry no Origin unless given). */
function hop(cookies: Record<string, string>, headers: Record<string, string>, next = '/payments') {
  return renewByNavigation(
    apiRequest(`/api/auth/refresh?${new URLSearchParams({ next })}`, {
      method: 'GET',
      origin: undefined,
      cookies,
      headers: { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document', ...headers },
    }),
  );
}

async function isUnused(token: string): Promise<boolean> {
  const row = await db().refreshToken.findUniqueOrThrow({ where: { tokenHash: hashRefreshToken(token) } });
  return row.rotatedAt === null && row.revokedAt === null;
}

/** What another site can make a browser send when it navigates to the hop. */
const CROSS_SITE_NAVIGATIONS: Array<[string, Record<string, string>]> = [
  ['a link or window.open on another site (Sec-Fetch-Site: cross-site)', { 'sec-fetch-site': 'cross-site', referer: 'https://evil.example/' }],
  ['the same, with the Referer suppressed (rel=noreferrer)', { 'sec-fetch-site': 'cross-site' }],
  ['a sibling subdomain (Sec-Fetch-Site: same-site)', { 'sec-fetch-site': 'same-site', referer: 'http://evil.localhost:3000/' }],
  ['a browser without Fetch Metadata, Referer of another site', { referer: 'https://evil.example/page' }],
  ['a form GET from another site (Origin of another site)', { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }],
  ['a forged same-origin Sec-Fetch-Site beside a foreign Referer', { 'sec-fetch-site': 'same-origin', referer: 'https://evil.example/' }],
  // Nothing shows who started it (a link whose page suppressed the Referer, or an old browser's prefetch).
  ['a browser without Fetch Metadata, even with no foreign Referer', {}],
];

describe('forced sign-out: a cross-site GET hop never rotates', () => {
  for (const [name, headers] of CROSS_SITE_NAVIGATIONS) {
    test(`forced sign-out: ${name}: the renewal page, no cookie set, the token unused`, async () => {
      const browser = await browserSession();
      const response = await hop(browser.cookies, headers);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
      assert.deepEqual([...setCookies(response).keys()], [], 'nothing set, nothing cleared');
      assert.ok(await isUnused(browser.refreshToken), 'not rotated: there is no successor to lose');
    });
  }

  test('forced sign-out: the attack end to end: cross-site hop aborted, then the victim renews after the grace window and stays signed in', async () => {
    const browser = await browserSession();
    // The attacker's navigation; "aborting" it means the browser never reads this response.
    await hop(browser.cookies, { 'sec-fetch-site': 'cross-site', referer: 'https://evil.example/' });
    // Well past the grace window, the victim's browser renews with the token it still holds.
    const later = secondsLater(new Date(), GRACE_SECONDS + 60);
    const renewal = await rotateRefreshToken(browser.refreshToken, meta, later);
    assert.equal(renewal.status, 'rotated', `not treated as reuse: ${JSON.stringify(renewal)}`);
    const session = await db().session.findUniqueOrThrow({ where: { id: browser.session.id } });
    assert.equal(session.revokedAt, null);
    assert.equal(await db().securityEvent.count({ where: { userId: browser.user.id, type: 'refresh_token_reuse' } }), 0, 'no false alarm');
  });
});

describe('the renewal page: a person who followed a link is still renewed, by a same-origin POST', () => {
  test('it posts to the refresh endpoint with `next`, runs only its own script, and cannot be framed or kept by an opener', async () => {
    const browser = await browserSession();
    const response = await hop(browser.cookies, { 'sec-fetch-site': 'cross-site' }, '/payments?tab=history');
    const html = await response.text();
    assert.match(html, /<form id="renew" method="post" action="\/api\/auth\/refresh\?next=%2Fpayments%3Ftab%3Dhistory">/);
    assert.match(html, /<button type="submit">Continue<\/button>/, 'works without script');

    const csp = response.headers.get('content-security-policy') ?? '';
    const script = /<script>([^<]*)<\/script>/.exec(html)?.[1];
    assert.ok(script, 'an inline script submits the form');
    const hash = createHash('sha256').update(script).digest('base64');
    assert.ok(csp.includes(`script-src 'sha256-${hash}'`), `the CSP allows exactly that script: ${csp}`);
    for (const directive of ["default-src 'none'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'"]) {
      assert.ok(csp.includes(directive), directive);
    }
    assert.equal(response.headers.get('cross-origin-opener-policy'), 'same-origin', 'an opener loses its handle on the window');
    assert.equal(response.headers.get('cache-control'), 'no-store');
  });

  test('`next` from the link is validated and escaped: no markup injection, no off-site target', async () => {
    const browser = await browserSession();
    for (const next of ['/payments?x="><script>alert(1)</script>', 'https://evil.example/', '//evil.example']) {
      const html = await (await hop(browser.cookies, { 'sec-fetch-site': 'cross-site' }, next)).text();
      assert.equal(html.match(/<script/g)?.length, 1, `only the page's own script (${next})`);
      const action = /action="([^"]*)"/.exec(html)![1].replaceAll('&#38;', '&');
      const target = new URL(action, APP_ORIGIN);
      assert.equal(target.origin + target.pathname, `${APP_ORIGIN}/api/auth/refresh`);
      assert.ok(target.searchParams.get('next')!.startsWith('/') && !target.searchParams.get('next')!.startsWith('//'));
    }
  });

  test('the page’s form post renews and continues to `next` (303 with the new cookies)', async () => {
    const browser = await browserSession();
    const response = await refresh(
      apiRequest('/api/auth/refresh?next=%2Fpayments', {
        cookies: browser.cookies,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'sec-fetch-site': 'same-origin',
          'sec-fetch-mode': 'navigate',
          accept: 'text/html',
        },
      }),
    );
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), '/payments');
    const cookies = setCookies(response);
    assert.ok(cookies.get(names.access)?.value && cookies.get(names.refresh)?.value, 'renewed');
    assert.equal(await isUnused(browser.refreshToken), false);
  });

  test('the form post with no session left goes to the login form with the page remembered', async () => {
    const response = await refresh(
      apiRequest('/api/auth/refresh?next=%2Fpayments', { headers: { 'sec-fetch-mode': 'navigate', accept: 'text/html' } }),
    );
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), '/login?next=%2Fpayments');
  });

  test('a cross-site form post to the refresh endpoint is still refused (Origin check, ASVS 3.5.3)', async () => {
    const browser = await browserSession();
    const response = await refresh(
      apiRequest('/api/auth/refresh?next=%2Fpayments', { origin: 'https://evil.example', cookies: browser.cookies, headers: { 'sec-fetch-mode': 'navigate' } }),
    );
    assert.equal(response.status, 403);
    assert.ok(await isUnused(browser.refreshToken));
  });
});

describe('the app’s own hop keeps working as a plain GET', () => {
  const OWN_NAVIGATIONS: Array<[string, Record<string, string>]> = [
    ['the proxy’s redirect of a same-origin page load (same-origin)', { 'sec-fetch-site': 'same-origin', referer: `${APP_ORIGIN}/dashboard` }],
    ['a typed URL or a bookmark (none): no other site started it', { 'sec-fetch-site': 'none' }],
  ];
  for (const [name, headers] of OWN_NAVIGATIONS) {
    test(`${name}: rotates and redirects to next`, async () => {
      const browser = await browserSession();
      const response = await hop(browser.cookies, headers);
      assert.equal(response.status, 303);
      assert.equal(response.headers.get('location'), '/payments');
      assert.ok(setCookies(response).get(names.refresh)?.value);
      assert.equal(await isUnused(browser.refreshToken), false);
    });
  }

  test('the rule itself: only same-origin or none, without a foreign Origin/Referer and without a prefetch header', () => {
    const h = (values: Record<string, string>) => new Headers({ host: 'localhost:3000', ...values });
    assert.equal(mayRotateOnGet(h({ 'sec-fetch-site': 'same-origin' })), true);
    assert.equal(mayRotateOnGet(h({ 'sec-fetch-site': 'none' })), true);
    assert.equal(mayRotateOnGet(h({ referer: `${APP_ORIGIN}/payments` })), false, 'no Fetch Metadata: the renewal page');
    assert.equal(mayRotateOnGet(h({ 'sec-fetch-site': 'same-origin', 'sec-purpose': 'prefetch' })), false);
    assert.equal(mayRotateOnGet(h({ 'sec-fetch-site': 'same-site' })), false);
    assert.equal(mayRotateOnGet(h({ 'sec-fetch-site': 'cross-site' })), false);
    assert.equal(mayRotateOnGet(h({ 'sec-fetch-site': 'same-origin', origin: 'https://evil.example' })), false);
    assert.equal(mayRotateOnGet(h({ referer: 'https://localhost:3000/' })), false, 'another scheme is another origin');
    assert.equal(mayRotateOnGet(h({ referer: 'not a url' })), false);
  });
});
