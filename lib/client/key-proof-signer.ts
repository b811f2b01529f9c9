/**
 * The browser's half of the fallback tier: a P-256 session key made with WebCrypto, its private half
 * non-extractable (script can use it, never read it), and the DPoP-style proof it signs for one
 * request (RFC 9449 4.2), checked on the server by lib/binding/key-proof.ts. WebCrypto only, no jose
 * and no server code: browser-safe, and runs in Node for its tests. Keeping the key (IndexedDB) and
 * sending the proof are the caller's.
 * Why the proof looks like this: docs/decisions/0100-binding-proofs-verified-as-typed-results.md.
 */

export type SessionPublicJwk = { kty: 'EC'; crv: 'P-256'; x: string; y: string };
export type SessionKey = { privateKey: CryptoKey; publicJwk: SessionPublicJwk };

/** A new key for a new session: the private half can sign but cannot be exported, not even by this page. */
export async function createSessionKey(): Promise<SessionKey> {
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const { x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
  if (!x || !y) throw new Error('WebCrypto returned a public key without coordinates');
  return { privateKey: pair.privateKey, publicJwk: { kty: 'EC', crv: 'P-256', x, y } };
}

/**
 * How far this browser's clock is from the server's, from a response's `Date` header (whole seconds):
 * add it to `Date.now()` before signing, so a wrong local clock does not make proofs stale.
 */
export function serverClockOffsetMs(dateHeader: string | null, receivedAt: number = Date.now()): number {
  const serverTime = dateHeader ? Date.parse(dateHeader) : Number.NaN;
  return Number.isFinite(serverTime) ? serverTime - receivedAt : 0;
}

/**
 * The proof for one request: `method` as sent, `url` absolute (its query and fragment are left out, as
 * RFC 9449 4.2 says), the server's current `nonce` once it has handed one out, and the time by the
 * server's clock (`clockOffsetMs`).
 */
export async function signKeyProof(
  key: SessionKey,
  request: { method: string; url: string; nonce?: string; clockOffsetMs?: number },
): Promise<string> {
  const target = new URL(request.url);
  const claims: Record<string, string | number> = {
    jti: crypto.randomUUID(),
    htm: request.method,
    htu: `${target.origin}${target.pathname}`,
    iat: Math.floor((Date.now() + (request.clockOffsetMs ?? 0)) / 1000),
  };
  if (request.nonce !== undefined) claims.nonce = request.nonce;
  const input = `${encodeJson({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk })}.${encodeJson(claims)}`;
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key.privateKey, new TextEncoder().encode(input));
  return `${input}.${base64url(new Uint8Array(signature))}`;
}

function encodeJson(value: unknown): string {
  return base64url(new TextEncoder().encode(JSON.stringify(value)));
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
