/**
 * The session cookies, their names and attributes in one place: the access token (`__Host-`, HttpOnly,
 * SameSite=Lax: RFC 6265bis 4.1.3.2, ASVS 3.3.4, 3.3.2), the refresh token (`__Secure-`, HttpOnly,
 * Path=/api/auth) and a secret-free session hint for the proxy. No database and no `next/headers`: the
 * proxy, route handlers and server actions all write through these, whatever cookie jar they hold.
 * Why each attribute, and COOKIE_SECURE=false: docs/decisions/0048-session-cookie-attributes.md.
 */
import { getConfig } from '../config/config';

const REFRESH_COOKIE_PATH = '/api/auth';

export type CookieOptions = {
  httpOnly: boolean;
  secure: boolean;
  sameSite: 'lax' | 'strict';
  path: string;
  maxAge: number;
};

/** Both `NextResponse.cookies` and `await cookies()` from next/headers fit this. */
export type CookieWriter = { set(name: string, value: string, options: CookieOptions): unknown };

export function cookieNames() {
  const secure = getConfig().COOKIE_SECURE;
  return {
    access: secure ? '__Host-access_token' : 'access_token',
    refresh: secure ? '__Secure-refresh_token' : 'refresh_token',
    hint: secure ? '__Host-session_hint' : 'session_hint',
  };
}

function options(path: string, maxAge: number): CookieOptions {
  return { httpOnly: true, secure: getConfig().COOKIE_SECURE, sameSite: 'lax', path, maxAge };
}

function secondsUntil(when: Date, now: Date): number {
  return Math.max(0, Math.ceil((when.getTime() - now.getTime()) / 1000));
}

export function setAccessTokenCookie(jar: CookieWriter, token: string, expiresAt: Date, now = new Date()) {
  jar.set(cookieNames().access, token, options('/', secondsUntil(expiresAt, now)));
}

/**
 * The access cookie's attributes but Max-Age: what a DBSC session's instructions name, since the
 * browser matches them against the cookie it holds (lib/binding/dbsc-instructions.ts).
 */
export function accessCookieAttributes(): Omit<CookieOptions, 'maxAge'> {
  const { maxAge: _maxAge, ...attributes } = options('/', 0);
  return attributes;
}

/**
 * A session bound by DBSC has no refresh token: its cookie goes, its hint stays (the proxy still
 * sends an expired page request to the renewal hop, whose POST the browser holds for a DBSC refresh).
 */
export function clearRefreshCookie(jar: CookieWriter) {
  jar.set(cookieNames().refresh, '', options(REFRESH_COOKIE_PATH, 0));
}

/** The refresh cookie and its hint live and die together. */
export function setRefreshTokenCookie(jar: CookieWriter, token: string, expiresAt: Date, now = new Date()) {
  const maxAge = secondsUntil(expiresAt, now);
  jar.set(cookieNames().refresh, token, options(REFRESH_COOKIE_PATH, maxAge));
  jar.set(cookieNames().hint, '1', options('/', maxAge));
}

/**
 * Deletes by overwriting with the same attributes and Max-Age=0: browsers ignore a deletion of a
 * prefixed cookie that lacks `Secure` (and Next's `cookies().delete` sends none).
 */
export function clearSessionCookies(jar: CookieWriter) {
  const names = cookieNames();
  jar.set(names.access, '', options('/', 0));
  jar.set(names.refresh, '', options(REFRESH_COOKIE_PATH, 0));
  jar.set(names.hint, '', options('/', 0));
}

/**
 * Why this browser's session ended, for one sentence on the sign-in page
 * (lib/session/signed-out-reason.ts). Set only on a response to the request that presented the ended
 * session's own refresh or access token, so only that session's holder learns it. `__Host-`: a sibling
 * host cannot plant one (unlike a query parameter, which any page could link with). HttpOnly, a
 * reason code and nothing else, and short-lived: it explains the next sign-in page, not a later one.
 */
export const SIGNED_OUT_REASON_MAX_AGE_SECONDS = 120;

export function signedOutReasonCookieName(): string {
  return getConfig().COOKIE_SECURE ? '__Host-signed_out' : 'signed_out';
}

export function setSignedOutReasonCookie(jar: CookieWriter, reason: string) {
  jar.set(signedOutReasonCookieName(), reason, options('/', SIGNED_OUT_REASON_MAX_AGE_SECONDS));
}

export function clearSignedOutReasonCookie(jar: CookieWriter) {
  jar.set(signedOutReasonCookieName(), '', options('/', 0));
}
