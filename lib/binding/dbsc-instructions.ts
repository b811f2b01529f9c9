/**
 * The JSON session instructions a DBSC registration or refresh answers with (W3C Device Bound Session
 * Credentials, "JSON Session Instruction Format"): the session's identifier, its refresh URL, its scope
 * (this origin only) and the one bound cookie, named with exactly the attributes it is set with, since
 * the browser matches Domain, Path, Secure, HttpOnly and SameSite ("Identify if missing session
 * credential"). Pure: the caller passes the cookie's name and options (lib/tokens/cookies.ts).
 */
import type { CookieOptions } from '../tokens/cookies';

export type DbscSessionInstructions = {
  session_identifier: string;
  refresh_url: string;
  scope: { origin: string; include_site: false; scope_specification: Array<{ type: 'exclude'; domain: string; path: string }> };
  credentials: Array<{ type: 'cookie'; name: string; attributes: string }>;
};

/** `Path=/; Secure; HttpOnly; SameSite=Lax`: a host-only cookie names no Domain. Max-Age does not count. */
export function cookieAttributes(options: Pick<CookieOptions, 'path' | 'secure' | 'httpOnly' | 'sameSite'>): string {
  const attributes = [`Path=${options.path}`];
  if (options.secure) attributes.push('Secure');
  if (options.httpOnly) attributes.push('HttpOnly');
  attributes.push(`SameSite=${options.sameSite === 'lax' ? 'Lax' : 'Strict'}`);
  return attributes.join('; ');
}

/**
 * `origin`: the app's public origin (APP_URL). `excludedPaths`: requests the browser must not hold
 * back for a refresh (the sign-in and renewal endpoints themselves, static files).
 */
export function dbscSessionInstructions(session: {
  id: string;
  origin: string;
  refreshPath: string;
  cookie: { name: string; options: Pick<CookieOptions, 'path' | 'secure' | 'httpOnly' | 'sameSite'> };
  excludedPaths?: string[];
}): DbscSessionInstructions {
  const host = new URL(session.origin).hostname;
  return {
    session_identifier: session.id,
    refresh_url: session.refreshPath,
    scope: {
      origin: session.origin,
      include_site: false,
      scope_specification: (session.excludedPaths ?? []).map((path) => ({ type: 'exclude', domain: host, path })),
    },
    credentials: [{ type: 'cookie', name: session.cookie.name, attributes: cookieAttributes(session.cookie.options) }],
  };
}
