/**
 * The GET renewal hop (`GET /api/auth/refresh?next=…`) rotates only for a navigation the app or the
 * person started; anything else gets `renewalPage`, which renews by a same-origin POST. Otherwise
 * another site could abort the hop after its rotation and turn the next renewal into a false reuse
 * alarm, a forced sign-out (RFC 9700 4.14.2, ASVS 3.5.3).
 * Why and how: docs/decisions/0013-renewal-hop-rotates-only-own-navigations.md.
 */
import { createHash } from 'node:crypto';
import { isSameOriginRequest } from '../request/origin';
import { loginPath, safeNextPath } from '../request/redirects';
import { isSpeculativeRequest } from '../request/speculative-request';
import type { HeaderReader } from '../request/request-context';

/**
 * True when the hop may rotate on this GET. Fetch Metadata (`Sec-Fetch-Site`) is set by the browser
 * and cannot be written by a page; it also accounts for every URL in a redirect chain, so a
 * cross-site link to /dashboard that the proxy redirects here still arrives as `cross-site`.
 * - `same-origin`: the app's own navigation (the proxy's redirect). Rotates.
 * - `none`: the person typed the URL or used a bookmark. No other site started it, so no other site
 *   can time an abort; rotates.
 * - `same-site` (a sibling subdomain: the cookie tosser, lib/tokens/duplicate-cookies.ts) and
 *   `cross-site`: never.
 * - absent: not a browser, or one without Fetch Metadata (Safari before 16.4; and every browser over
 *   plain http on a host other than localhost, since the headers go to secure origins only). Nothing
 *   says who started it, and an old browser's prefetch may not say it is one, so it never rotates on
 *   GET: it gets the renewal page, which renews by a same-origin POST.
 * Never for a prefetch or prerender (lib/request/speculative-request.ts), whatever else it says:
 * the browser may discard the answer, and the rotation with it. And an `Origin` or `Referer` of
 * another origin refuses, whatever the other headers say.
 */
export function mayRotateOnGet(headers: HeaderReader): boolean {
  if (isSpeculativeRequest(headers)) return false;
  if (headers.get('origin') !== null && !isSameOriginRequest(headers)) return false;
  const referer = headers.get('referer');
  if (referer !== null && !isSameOriginRequest(withOrigin(headers, originOf(referer)))) return false;
  const site = headers.get('sec-fetch-site');
  return site === 'same-origin' || site === 'none';
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'null';
  }
}

/** The same headers with `Origin` replaced, so the Referer's origin is judged by the very same rule. */
function withOrigin(headers: HeaderReader, origin: string): HeaderReader {
  return { get: (name) => (name.toLowerCase() === 'origin' ? origin : headers.get(name)) };
}

/**
 * Runs as soon as the page is parsed; the button is there for browsers without script. A browser
 * holding a session key (lib/client/session-key.ts: IndexedDB `session-binding`, record `current`)
 * renews by a signed POST (header `DPoP`, signing again once on `use_dpop_nonce`) and goes on to `next`,
 * or to sign-in if refused; with no answer (the network, a server failing with 5xx) it stays, says so,
 * and Continue tries the signed POST again, so an outage is never shown as a sign-out. A browser
 * without a key submits the form, which renews an unbound session
 * and sends a key-bound one to sign-in with `reason=key_missing`. Plain script: no module, no import,
 * and no `<` (nothing in it can read as markup).
 * Why: docs/decisions/0102-key-bound-renewal.md.
 */
const SUBMIT_SCRIPT = `(function () {
  var form = document.getElementById('renew');
  var status = document.getElementById('renew-status');
  var enc = new TextEncoder();
  function b64(bytes) { var s = ''; for (var i = 0; bytes.length > i; i++) s += String.fromCharCode(bytes[i]); return btoa(s).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, ''); }
  function part(value) { return b64(enc.encode(JSON.stringify(value))); }
  function store(mode, work) {
    return new Promise(function (resolve, reject) {
      var open = indexedDB.open('session-binding', 1);
      open.onupgradeneeded = function () { open.result.createObjectStore('key'); };
      open.onerror = function () { reject(open.error); };
      open.onsuccess = function () {
        var request = work(open.result.transaction('key', mode).objectStore('key'));
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      };
    });
  }
  async function proof(record, nonce) {
    var claims = { jti: crypto.randomUUID(), htm: 'POST', htu: location.origin + '/api/auth/refresh', iat: Math.floor((Date.now() + (record.clockOffsetMs || 0)) / 1000) };
    if (nonce) claims.nonce = nonce;
    var input = part({ typ: 'dpop+jwt', alg: 'ES256', jwk: record.key.publicJwk }) + '.' + part(claims);
    var signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, record.key.privateKey, enc.encode(input));
    return input + '.' + b64(new Uint8Array(signature));
  }
  async function renew(record) {
    var nonce = record.nonce;
    for (var attempt = 0; 3 > attempt; attempt++) {
      var response = await fetch('/api/auth/refresh', { method: 'POST', credentials: 'same-origin', headers: { DPoP: await proof(record, nonce) } });
      var given = response.headers.get('DPoP-Nonce');
      if (response.ok) {
        record.nonce = given || nonce;
        await store('readwrite', function (s) { return s.put(record, 'current'); }).catch(function () {});
        return 'renewed';
      }
      if (response.status >= 500) return 'unreachable';
      var body = await response.json().catch(function () { return {}; });
      if (body.retry !== 'use_dpop_nonce' || !given) return 'refused';
      nonce = given;
      if (body.serverTime) record.clockOffsetMs = Date.parse(body.serverTime) - Date.now();
    }
    return 'refused';
  }
  var held = null;
  function renewWithKey() {
    status.textContent = '';
    return renew(held).catch(function () { return 'unreachable'; }).then(function (result) {
      if (result === 'renewed') return location.replace(form.parentNode.dataset.next);
      if (result === 'refused') return location.replace(form.parentNode.dataset.login);
      status.textContent = 'The server could not be reached. Nothing was changed: press Continue to try again.';
      form.querySelector('button').focus();
    });
  }
  form.addEventListener('submit', function (event) {
    if (!held) return;
    event.preventDefault();
    renewWithKey();
  });
  store('readonly', function (s) { return s.get('current'); })
    .then(function (record) {
      if (!record || !record.key) return form.submit();
      held = record;
      return renewWithKey();
    })
    .catch(function () { form.submit(); });
})();`;
const SUBMIT_SCRIPT_HASH = createHash('sha256').update(SUBMIT_SCRIPT).digest('base64');

/**
 * Only this page's own script (by hash, so no nonce plumbing is needed in a route handler), no
 * other resource, the form may post only to the app, and nobody may frame it.
 */
const RENEWAL_PAGE_CSP = [
  "default-src 'none'",
  `script-src 'sha256-${SUBMIT_SCRIPT_HASH}'`,
  // The signed renewal's fetch, to the app only.
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Where the interstitial posts: the refresh endpoint, with `next` in the query like the GET hop. */
function renewalFormAction(next: string): string {
  return `/api/auth/refresh?${new URLSearchParams({ next: safeNextPath(next) })}`;
}

/**
 * The page a GET hop gets instead of a rotation when another site (or nothing shows who) started it: changes nothing, sets no cookie, and
 * immediately posts back to the app from the app's own origin. `next` is re-validated here and
 * HTML-escaped, so the query string cannot inject markup.
 */
export function renewalPage(next: string): Response {
  const action = escapeHtml(renewalFormAction(next));
  const after = escapeHtml(safeNextPath(next));
  const login = escapeHtml(loginPath(next));
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>Continuing your session · Secure sessions</title>
</head>
<body>
<main data-next="${after}" data-login="${login}">
<h1>Continuing your session</h1>
<form id="renew" method="post" action="${action}">
<p>Your sign-in is renewed here, on this site, so that no other site can interfere with it.</p>
<p id="renew-status" role="status"></p>
<button type="submit">Continue</button>
</form>
</main>
<script>${SUBMIT_SCRIPT}</script>
</body>
</html>
`;
  return new Response(html, {
    status: 200,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Security-Policy': RENEWAL_PAGE_CSP,
      'Cross-Origin-Opener-Policy': 'same-origin',
      'X-Frame-Options': 'DENY',
    },
  });
}
