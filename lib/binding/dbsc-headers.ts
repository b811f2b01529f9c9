/**
 * DBSC's HTTP headers (W3C Device Bound Session Credentials, "DBSC Formats"), written and read as the
 * RFC 9651 structured fields they are: Secure-Session-Registration (a list of inner lists of algorithm
 * tokens with `path` and `challenge` parameters) and Secure-Session-Challenge (a string with an `id`
 * parameter) from the server; Sec-Secure-Session-Id and Secure-Session-Response (strings) from the
 * browser, read strictly and never thrown for. Pure.
 */

/** The longest Sec-Secure-Session-Id or Secure-Session-Response value read. */
export const MAX_DBSC_HEADER_LENGTH = 4096;

/** RFC 9651 3.3.3: a string is printable ASCII; `"` and `\` are escaped. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

export function serializeString(value: string): string {
  if (!PRINTABLE_ASCII.test(value)) throw new TypeError('a structured-field string holds printable ASCII only');
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * `Secure-Session-Registration: (ES256);path="…";challenge="…"`. ES256 only: the one algorithm the
 * proof verifier accepts (lib/binding/dbsc-proof.ts), so the browser makes no key it could not use.
 */
export function registrationHeader(registration: { path: string; challenge: string; authorization?: string }): string {
  const parameters = [`path=${serializeString(registration.path)}`, `challenge=${serializeString(registration.challenge)}`];
  if (registration.authorization !== undefined) parameters.push(`authorization=${serializeString(registration.authorization)}`);
  return `(ES256);${parameters.join(';')}`;
}

/** `Secure-Session-Challenge: "<challenge>";id="<session id>"`. */
export function challengeHeader(challenge: string, sessionIdentifier: string): string {
  return `${serializeString(challenge)};id=${serializeString(sessionIdentifier)}`;
}

/** Characters of a session id or a JWT sent bare, as a token would be (RFC 9651 3.3.4 tchar, no `/` or `:`). */
const BARE_VALUE = /^[A-Za-z0-9._~+*!#$%&'^`|-]+$/;

/**
 * The string a Sec-Secure-Session-Id or Secure-Session-Response header carries, or null. The spec
 * makes both an sf-string (`"…"`, parameters after it ignored); a bare value of token characters is
 * read too, as a browser that sent it unquoted would mean it. Anything else is null: an empty value,
 * a second list member, bad escapes, non-ASCII, an over-long value.
 */
export function parseStringHeader(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined || raw.length > MAX_DBSC_HEADER_LENGTH) return null;
  const value = raw.trim();
  if (value.startsWith('"')) return parseQuoted(value);
  const bare = value.split(';')[0];
  return bare.length > 0 && BARE_VALUE.test(bare) && isParameters(value.slice(bare.length)) ? bare : null;
}

/** RFC 9651 4.2.5: the string up to its closing quote; what follows may only be parameters. */
function parseQuoted(value: string): string | null {
  let out = '';
  for (let i = 1; i < value.length; i++) {
    const c = value[i];
    if (c === '\\') {
      const next = value[++i];
      if (next !== '"' && next !== '\\') return null;
      out += next;
    } else if (c === '"') {
      return out.length > 0 && isParameters(value.slice(i + 1)) ? out : null;
    } else if (c < '\x20' || c > '\x7e') {
      return null;
    } else {
      out += c;
    }
  }
  return null;
}

/** Nothing, or `;key=value` parameters (ignored, as the spec says), and no second list member. */
function isParameters(rest: string): boolean {
  return rest === '' || (rest.startsWith(';') && !rest.includes(','));
}
