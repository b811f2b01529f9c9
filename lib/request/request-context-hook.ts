/**
 * The TCP peer address of a request, for route handlers and server actions, which only see headers.
 *
 * Why this exists: Next.js 16 removed `NextRequest.ip`, and `next start` fills `X-Forwarded-For` from
 * the socket only when the request has none (`??=` in next/dist/server/base-server.js). A client that
 * sends its own `X-Forwarded-For: 203.0.113.7` therefore decides what a handler reads, and could spread
 * its attempts over invented addresses to escape every per-IP limit.
 *
 * So instrumentation.ts installs a hook on the Node server's `request` event that writes the socket's
 * address into its own header, overwriting whatever the client sent, together with a random stamp
 * drawn when this process started. A handler believes the header only when the stamp matches: a
 * request that reached the server before the hook was installed (the first moments after start) or a
 * server that never installed it yields `null`, never a client-chosen value. The stamp is not a
 * secret that matters beyond this process; each instance draws its own.
 *
 * The same hook notes the address the server itself listens on (`ownServerOrigin`), from the listening
 * socket, never from a request's Host header, which the client writes: the /lab page sends a request to
 * its own server with a copied token, and must not be steerable to another host.
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
