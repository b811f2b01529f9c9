/**
 * A client that holds its own session key and signs binding proofs the way a browser does: a P-256
 * key made with WebCrypto (private half non-extractable), the JWS built by hand, the ES256 signature
 * in WebCrypto's raw r||s form. `dbsc+jwt` byte for byte in the shape Chromium 156 sends (header
 * `{"alg":"ES256","jwk":{"crv","kty","x","y"},"typ":"dbsc+jwt"}`, payload `{"authorization"?,"jti"}`,
 * no `jwk` at refresh; tests/unit/dbsc-proof.test.ts compares it with captured proofs), and the
 * fallback tier's `dpop+jwt` as the page will (RFC 9449 4.2). `signRaw` signs anything, for attacks.
 * Chromium sends both DBSC request headers bare, not as quoted sf-strings. No server, no database.
 */
import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';

export type PublicJwk = { kty: 'EC'; crv: 'P-256'; x: string; y: string };

const encoder = new TextEncoder();
const b64url = (bytes: Uint8Array | string) => Buffer.from(typeof bytes === 'string' ? encoder.encode(bytes) : bytes).toString('base64url');

export class BindingClient {
  private constructor(
    private readonly privateKey: CryptoKey,
    readonly publicJwk: PublicJwk,
  ) {}

  /** A new key pair, as a browser makes one for a session: the private key cannot be exported. */
  static async generate(): Promise<BindingClient> {
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
    const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
    // Chromium's member order (the RFC 7638 order); the thumbprint does not depend on it.
    return new BindingClient(pair.privateKey, { crv: crv as 'P-256', kty: kty as 'EC', x: x!, y: y! });
  }

  thumbprint(): Promise<string> {
    return calculateJwkThumbprint(this.publicJwk, 'sha256');
  }

  /** Any header and payload, serialized as given and signed ES256 with this key. */
  async signRaw(header: Record<string, unknown>, payload: unknown): Promise<string> {
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
    const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, this.privateKey, encoder.encode(input));
    return `${input}.${b64url(new Uint8Array(signature))}`;
  }

  /** The registration proof: the new key in the header, the registration header's challenge as `jti`. */
  dbscRegistrationProof(challenge: string, authorization?: string): Promise<string> {
    const payload = authorization === undefined ? { jti: challenge } : { authorization, jti: challenge };
    return this.signRaw({ alg: 'ES256', jwk: this.publicJwk, typ: 'dbsc+jwt' }, payload);
  }

  /** A refresh proof: no key in the header, the latest challenge as `jti`. */
  dbscRefreshProof(challenge: string): Promise<string> {
    return this.signRaw({ alg: 'ES256', typ: 'dbsc+jwt' }, { jti: challenge });
  }

  /** The fallback tier's proof for one request (RFC 9449 4.2); `claims` overrides or adds claims. */
  keyProof(request: { method: string; url: string; nonce?: string; now?: Date; claims?: Record<string, unknown> }): Promise<string> {
    const iat = Math.floor((request.now ?? new Date()).getTime() / 1000);
    const nonce = request.nonce === undefined ? {} : { nonce: request.nonce };
    const payload = { jti: randomUUID(), htm: request.method, htu: request.url, iat, ...nonce, ...request.claims };
    return this.signRaw({ typ: 'dpop+jwt', alg: 'ES256', jwk: this.publicJwk }, payload);
  }
}

/** A value as the spec writes Secure-Session-Response or Sec-Secure-Session-Id: an sf-string (Chromium sends it bare). */
export const sfString = (value: string) => `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
