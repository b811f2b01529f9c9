/**
 * ASVS v5 3.3 (cookies) and 3.7 / CWE-601 (redirects): property-based fuzzing with fast-check.
 *
 * - Redirect targets: `next` is attacker-controlled. Whatever it is, the app redirects only to a plain
 *   same-origin path outside the API, which a browser resolves to the app's own origin; on-site paths
 *   survive unchanged, and the renewal and login links carry exactly that path.
 * - Cookie headers: the duplicate-cookie check (cookie tossing) must see every copy Next.js's own parser
 *   could pick, and the handlers that read cookies never answer 5xx, never rotate or issue anything
 *   for cookies that name no session.
 *
 * On a failure fast-check prints the seed and the shrunk counterexample (re-run with `{ seed, path }`).
 */
// database: sqlite-only — redirect targets and Cookie headers are judged in JavaScript; no fuzzed value reaches the database (a refresh token is checked for shape and hashed first)
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { NextRequest } from 'next/server';
import { useTestDatabase } from '../helpers/database';
import { signedInUser } from '../helpers/fixtures';
import { APP_ORIGIN, apiRequest, setCookies } from '../helpers/http';
import { db } from '../../lib/db/client';
import { cookieNames } from '../../lib/tokens/cookies';
import { cookieValues, duplicatedSessionCookies } from '../../lib/tokens/duplicate-cookies';
import { loginPath, renewalPath, safeNextPath } from '../../lib/request/redirects';
import { POST as logout } from '../../app/api/auth/logout/route';
import { GET as renewByNavigation, POST as refresh } from '../../app/api/auth/refresh/route';

useTestDatabase();

const names = cookieNames();

/** Inputs an attacker would try for `next`: any text, URLs, and paths salted with the classic tricks. */
const hostileNext = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.tuple(
    fc.constantFrom('/', '//', '/\\', '\\\\', '/\t/', '/\n/', '/%2F', '/%2f/', '/./', '/../', '/.//', '/%5C', ' /', '/\u3002/', 'https:', '//@', '/api/', '/api'),
    fc.oneof(fc.domain(), fc.webPath(), fc.string({ maxLength: 10 })),
  ).map(([prefix, rest]) => prefix + rest),
);

/** A Location is safe when a browser resolving it from any page of the app stays on the app's origin. */
function assertOnSite(target: string, { intoApi = false } = {}) {
  assert.ok(target.startsWith('/') && target[1] !== '/' && target[1] !== '\\', `plain path: ${JSON.stringify(target)}`);
  assert.doesNotMatch(target, /[\u0000-\u001f\u007f]/, 'no control characters a browser would strip before parsing');
  for (const base of [`${APP_ORIGIN}/`, `${APP_ORIGIN}/api/auth/refresh`, `${APP_ORIGIN}/a/b/c?x=1`]) {
    assert.equal(new URL(target, base).origin, APP_ORIGIN, `${target} from ${base}`);
  }
  const { pathname } = new URL(target, APP_ORIGIN);
  if (!intoApi) assert.ok(pathname !== '/api' && !pathname.startsWith('/api/'), `not into the API: ${target}`);
}

describe('redirect targets (ASVS 3.7.2, CWE-601): never off-site, never scheme-relative, never into the API', () => {
  test('safeNextPath of anything is a plain on-site path, and applying it twice changes nothing', () => {
    fc.assert(
      fc.property(hostileNext, (next) => {
        const target = safeNextPath(next);
        assertOnSite(target);
        assert.equal(safeNextPath(target), target, 'idempotent');
      }),
      { numRuns: 2000 },
    );
  });

  test('an on-site path outside the API is kept as the same URL (round trip)', () => {
    const onSite = fc
      .tuple(fc.webPath(), fc.webQueryParameters(), fc.webSegment())
      .map(([path, query, hash]) => `/${path.replace(/^\/+/, '')}${query ? `?${query}` : ''}${hash ? `#${hash}` : ''}`)
      // On-site as a browser resolves it: dot segments that collapse into `//host` are not on-site.
      .filter((p) => {
        const { pathname } = new URL(p, APP_ORIGIN);
        return !pathname.startsWith('//') && pathname !== '/api' && !pathname.startsWith('/api/');
      });
    fc.assert(
      fc.property(onSite, (path) => {
        const target = safeNextPath(path);
        assert.equal(new URL(target, APP_ORIGIN).href, new URL(path, APP_ORIGIN).href);
      }),
      { numRuns: 500 },
    );
  });

  test('the login and renewal links carry exactly the safe path as their `next`', () => {
    fc.assert(
      fc.property(hostileNext, (next) => {
        // The renewal link is the one place a redirect goes into the API, on purpose.
        for (const link of [loginPath(next), renewalPath(next)]) {
          assertOnSite(link, { intoApi: true });
          assert.equal(new URL(link, APP_ORIGIN).searchParams.get('next'), safeNextPath(next));
        }
      }),
      { numRuns: 1000 },
    );
  });

  test('the renewal hop itself: whatever `next` a link carries, its Location stays on the app', async () => {
    await fc.assert(
      fc.asyncProperty(hostileNext, async (next) => {
        const response = await renewByNavigation(
          apiRequest(`/api/auth/refresh?${new URLSearchParams({ next })}`, {
            method: 'GET',
            origin: undefined,
            headers: { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'navigate' },
          }),
        );
        assert.equal(response.status, 303);
        assertOnSite(response.headers.get('location')!);
      }),
      { numRuns: 100 },
    );
  });
});

/** Cookie names and values as a client can send them, including stray spaces and Next's own names. */
const cookieName = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...Object.values(names)) },
  { weight: 1, arbitrary: fc.constantFrom(...Object.values(names)).map((n) => ` ${n} `) },
  { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9_\-]{1,12}$/) },
);
const cookieValue = fc.stringMatching(/^[A-Za-z0-9!#$&'()*+\-./:<>?@[\]^_`{|}~% ]{0,20}$/);
const cookieHeader = fc
  .array(fc.tuple(cookieName, cookieValue, fc.constantFrom('; ', ';', ';  ')), { maxLength: 6 })
  .map((pairs) => pairs.map(([n, v, sep], i) => `${i ? sep : ''}${n}=${v}`).join(''));

describe('cookie headers (ASVS 3.3, cookie tossing)', () => {
  test('the duplicate check never throws, and sees every value Next.js could read for a session cookie', () => {
    fc.assert(
      fc.property(fc.oneof(cookieHeader, fc.string({ unit: 'binary', maxLength: 80 })), (header) => {
        const duplicated = duplicatedSessionCookies(header);
        let nextJar;
        try {
          nextJar = new NextRequest(APP_ORIGIN, { headers: { cookie: header } }).cookies;
        } catch {
          return; // a header value no client can send
        }
        for (const name of Object.values(names)) {
          const values = cookieValues(header, name);
          assert.equal(duplicated.includes(name), values.length > 1, `${name} counted right in ${JSON.stringify(header)}`);
          // Whatever Next's parser hands the app under this name is one of the values counted, so a
          // header that passes the duplicate check cannot smuggle a second copy past it.
          // (Compared trimmed: Next keeps a value's trailing spaces, the check drops them; same cookie.)
          const seen = nextJar.get(name)?.value.trim();
          if (seen !== undefined) assert.ok(values.map((v) => v.trim()).includes(seen), `Next read ${JSON.stringify(seen)}, the check saw ${JSON.stringify(values)}`);
        }
      }),
      { numRuns: 1000 },
    );
  });

  test('refresh and logout with any cookies naming no session: never a 5xx, nothing rotated, no token issued', async () => {
    const bystander = await signedInUser(new Date());
    const before = await db().refreshToken.findMany({ orderBy: { id: 'asc' } });
    await fc.assert(
      fc.asyncProperty(cookieHeader, fc.boolean(), async (header, navigation) => {
        const headers = { cookie: header, ...(navigation ? { 'sec-fetch-mode': 'navigate', accept: 'text/html' } : {}) };
        for (const handler of [refresh, logout]) {
          const response = await handler(apiRequest('/api/auth/refresh', { headers }));
          assert.ok(response.status < 500, `status ${response.status} for ${header}`);
          for (const cookie of setCookies(response).values()) {
            assert.equal(cookie.value, '', `only deletions, never a new token: ${cookie.raw}`);
          }
        }
      }),
      { numRuns: 150 },
    );
    assert.deepEqual(await db().refreshToken.findMany({ orderBy: { id: 'asc' } }), before, 'no refresh token was rotated or written');
    assert.equal((await db().session.findUniqueOrThrow({ where: { id: bystander.session.id } })).revokedAt, null, 'a bystander stays signed in');
  });
});
