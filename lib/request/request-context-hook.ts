/**
 * The server's own hook on every request, installed once by instrumentation.ts: stamps the TCP peer
 * address and the arrival time into headers a client cannot forge (route handlers and server actions
 * see only headers), notes the server's own listening origin, and lets lib/request/request-edge.ts
 * refuse unserved methods before Next.js. The readers, and the wiring as diagrams:
 * lib/request/request-context.ts and request-context.md. Why: docs/decisions/0040-peer-address-stamp.md.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import net from 'node:net';
import {
  PEER_ADDRESS_HEADER,
  peerAddressHookState,
  REQUEST_ARRIVAL_HEADER,
  setPeerAddressHookState,
  type PeerAddressHookState,
} from './request-context';
import { refuseUnservedMethod } from './request-edge';

// Reading the stamp needs no Node.js module, so it lives where the proxy may import it too.
export { judgedAt, ownServerOrigin, PEER_ADDRESS_HEADER, peerAddress } from './request-context';

/** Idempotent. Patches net.Server, so the http and https servers of `next start` both get it. */
export function installPeerAddressHook(): void {
  if (peerAddressHookState()) return;
  const state: PeerAddressHookState = { stamp: randomBytes(18).toString('base64url') };
  type Emit = (this: net.Server, event: string | symbol, ...args: unknown[]) => boolean;
  const emit = net.Server.prototype.emit as Emit;
  net.Server.prototype.emit = function emitWithPeerAddress(this: net.Server, event: string | symbol, ...args: unknown[]) {
    if (event === 'request') {
      stampPeerAddress(args[0] as IncomingMessage, state.stamp);
      state.ownOrigin ??= listeningOrigin(this);
      // A method the path does not serve is answered here, before Next.js (lib/request/request-edge.ts).
      if (refuseUnservedMethod(args[0] as IncomingMessage, args[1] as ServerResponse)) return true;
    }
    return emit.call(this, event, ...args);
  } as net.Server['emit'];
  setPeerAddressHookState(state);
}

function stampPeerAddress(req: IncomingMessage, stamp: string): void {
  const address = req.socket?.remoteAddress;
  if (address) req.headers[PEER_ADDRESS_HEADER] = `${stamp} ${address}`;
  else delete req.headers[PEER_ADDRESS_HEADER];
  // When the request arrived: every check of the access token in this request uses it (`judgedAt`),
  // and so does a renewal's grace window. A GET or HEAD has arrived once its headers have, and so has a
  // request that declares no body (`Content-Length: 0`, or neither a length nor chunked encoding,
  // RFC 9112 6.3: what a browser's bodiless POST to /api/auth/refresh sends). A request with a body has
  // not arrived until its body has: a client holding the body back could otherwise keep a token alive
  // past its expiry, its page judged as of headers sent while the token was still valid. So its stamp is
  // written only when the body ends; a request whose body is never read (or that is judged before it
  // ends) has none, and is judged by the clock.
  delete req.headers[REQUEST_ARRIVAL_HEADER];
  if (req.method === 'GET' || req.method === 'HEAD' || declaresNoBody(req)) {
    req.headers[REQUEST_ARRIVAL_HEADER] = `${stamp} ${Date.now()}`;
  } else {
    req.once('end', () => {
      req.headers[REQUEST_ARRIVAL_HEADER] = `${stamp} ${Date.now()}`;
    });
  }
}

/** RFC 9112 6.3: a request has a body only if it says so, with a length or chunked encoding. */
function declaresNoBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] === undefined && (length === undefined || length.trim() === '0');
}

/**
 * `http://host:port` of the server's own listening socket: a wildcard address (`::`, `0.0.0.0`) becomes
 * the loopback address of its family. Undefined for a server that is not a TCP listener.
 */
function listeningOrigin(server: net.Server): string | undefined {
  const address = server.address();
  if (!address || typeof address === 'string') return undefined;
  const host = address.family === 'IPv6' ? (address.address === '::' ? '::1' : address.address) : address.address === '0.0.0.0' ? '127.0.0.1' : address.address;
  return `http://${net.isIPv6(host) ? `[${host}]` : host}:${address.port}`;
}
