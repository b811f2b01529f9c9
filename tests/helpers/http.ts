/**
 * Driving route handlers directly, the way Next.js calls them: a real `NextRequest` in, a real
 * response out, and its `Set-Cookie` lines parsed the way a browser reads them (RFC 6265bis 5.6).
 */
import { AssertionError, deepEqual, equal, ok } from 'node:assert/strict';
import { NextRequest } from 'next/server';

export const APP_ORIGIN = 'http://localhost:3000';

export type ApiRequestInit = {
  method?: string;
  /** `undefined` sends no Origin header at all; the default is the app's own origin. */
  origin?: string | undefined;
  cookies?: Record<string, string>;
  /** Serialised as JSON unless it is already a string. */
  body?: unknown;
  headers?: Record<string, string>;
};

/** A request to this app at `path` (path and query), as a browser on the app's own page would send it. */
export function apiRequest(path: string, init: ApiRequestInit = {}): NextRequest {
  const headers = new Headers({ host: new URL(APP_ORIGIN).host, ...init.headers });
  const origin = 'origin' in init ? init.origin : APP_ORIGIN;
  if (origin !== undefined) headers.set('origin', origin);
  const cookies = Object.entries(init.cookies ?? {});
  if (cookies.length) headers.set('cookie', cookies.map(([name, value]) => `${name}=${value}`).join('; '));
  let body: string | undefined;
  if (init.body !== undefined) {
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  return new NextRequest(new URL(path, APP_ORIGIN), { method: init.method ?? 'POST', headers, body });
}

/** One `Set-Cookie` line: name, value, and its attributes keyed by lower-case name (flags map to true). */
export type SetCookie = { name: string; value: string; attributes: Record<string, string | true>; raw: string };

export function parseSetCookie(line: string): SetCookie {
  const [pair, ...parts] = line.split(';');
  const equals = pair.indexOf('=');
  const attributes: Record<string, string | true> = {};
  for (const part of parts) {
    const trimmed = part.trim();
    if (!trimmed) continue;
    const eq = trimmed.indexOf('=');
    const key = (eq === -1 ? trimmed : trimmed.slice(0, eq)).trim().toLowerCase();
    if (key in attributes) throw new Error(`attribute ${key} appears twice in ${line}`);
    attributes[key] = eq === -1 ? true : trimmed.slice(eq + 1).trim();
  }
  return { name: pair.slice(0, equals).trim(), value: pair.slice(equals + 1).trim(), attributes, raw: line };
}

/** Every cookie a response sets, by name; a name set twice fails (the browser would keep only the last). */
export function setCookies(response: Response): Map<string, SetCookie> {
  const cookies = new Map<string, SetCookie>();
  for (const line of response.headers.getSetCookie()) {
    const cookie = parseSetCookie(line);
    if (cookies.has(cookie.name)) throw new Error(`cookie ${cookie.name} is set twice`);
    cookies.set(cookie.name, cookie);
  }
  return cookies;
}

/**
 * Where a browser would go after this redirect: Location resolved against the URL it requested,
 * exactly as WHATWG URL parsing (which browsers use) resolves it.
 */
export function redirectTarget(response: Response, requested = APP_ORIGIN): URL {
  const location = response.headers.get('location');
  if (location === null) throw new Error(`no Location header (status ${response.status})`);
  return new URL(location, requested);
}

/** What a session cookie must look like, attribute by attribute. */
export type ExpectedCookie = {
  name: string;
  /** Omit to accept any non-empty value (a token); '' for a deletion. */
  value?: string;
  path: '/' | '/api/auth';
  /** An exact number, or [min, max] when the handler's own clock decides it. */
  maxAge: number | [number, number];
  secure: boolean;
};

/**
 * Asserts a cookie exactly: HttpOnly, SameSite=Lax, the given Path, Max-Age and Secure, and no other
 * attribute (no Domain, which a `__Host-` cookie must not have and which would widen any cookie to
 * sibling hosts). `Expires`, which Next.js adds beside Max-Age, must agree with it (Max-Age wins in
 * browsers anyway, RFC 6265bis 5.6.2).
 */
export function assertCookie(cookie: SetCookie | undefined, expected: ExpectedCookie): void {
  if (!cookie) throw new AssertionError({ message: `cookie ${expected.name} was not set` });
  const where = `${expected.name} (${cookie.raw})`;
  equal(cookie.name, expected.name, where);
  if (expected.value === undefined) ok(cookie.value.length > 0, `${where}: has a value`);
  else equal(cookie.value, expected.value, `${where}: value`);
  const { path, 'max-age': maxAge, expires, httponly, secure, samesite, ...others } = cookie.attributes;
  deepEqual(others, {}, `${where}: no other attribute (Domain, Partitioned, ...)`);
  equal(path, expected.path, `${where}: Path`);
  equal(httponly, true, `${where}: HttpOnly`);
  equal(typeof samesite === 'string' && samesite.toLowerCase(), 'lax', `${where}: SameSite=Lax`);
  equal(secure, expected.secure ? true : undefined, `${where}: Secure ${expected.secure ? 'present' : 'absent'}`);
  const seconds = Number(maxAge);
  ok(typeof maxAge === 'string' && /^\d+$/.test(maxAge), `${where}: Max-Age is a whole number of seconds`);
  if (typeof expected.maxAge === 'number') equal(seconds, expected.maxAge, `${where}: Max-Age`);
  else ok(seconds >= expected.maxAge[0] && seconds <= expected.maxAge[1], `${where}: Max-Age in [${expected.maxAge}]`);
  if (expires !== undefined) {
    ok(typeof expires === 'string', `${where}: Expires has a date`);
    // Next.js computes Expires from the real clock at serialisation, whatever clock the writer was given.
    const drift = Math.abs(Date.parse(expires) - (Date.now() + seconds * 1000));
    ok(drift <= 5_000, `${where}: Expires agrees with Max-Age`);
  }
}

/**
 * The Max-Age range a cookie that ends at `expiresAt` may carry when it was written between `before` and
 * `after` (ms): how long the request took is unknown to the test, so a slow machine cannot fail it.
 */
export function secondsUntil(expiresAt: Date, before: number, after: number): [number, number] {
  return [Math.ceil((expiresAt.getTime() - after) / 1000), Math.ceil((expiresAt.getTime() - before) / 1000)];
}
