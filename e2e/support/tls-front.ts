/**
 * The https front of the DBSC browser test. Chromium registers device-bound sessions only over https
 * with a certificate it accepts, and `next start` serves plain http: so a throwaway certificate for
 * localhost is made per run with `openssl req` (under e2e/.tmp/tls/, git-ignored), Chromium is told
 * to accept exactly that key by its SPKI hash, and a node:https server forwards every request to the
 * app over loopback http, saying `X-Forwarded-Proto: https`. Why: docs/decisions/0106-dbsc-browser-test-behind-a-tls-front.md.
 */
import { spawnSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';

/** The openssl the certificate is made with; OPENSSL_BINARY names another. */
export const OPENSSL = process.env.OPENSSL_BINARY ?? 'openssl';

export type TlsCertificate = { keyFile: string; certFile: string; spkiHash: string };

/** Null when openssl runs; otherwise why not, in one line that names the package. */
export function opensslMissing(): string | null {
  const probe = spawnSync(OPENSSL, ['version'], { encoding: 'utf8' });
  if (probe.status === 0) return null;
  return `openssl is not installed (${OPENSSL}): apt-get install -y openssl, or set OPENSSL_BINARY`;
}

/**
 * base64(SHA-256(SubjectPublicKeyInfo)): what `--ignore-certificate-errors-spki-list` takes. Chromium
 * then accepts this one key for any host; `--ignore-certificate-errors` instead makes it ignore the
 * DBSC registration header (decision 0101).
 */
export function spkiHash(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/** A new P-256 key and self-signed certificate for localhost in `directory`, valid for two days. */
export function makeCertificate(directory: string): TlsCertificate {
  mkdirSync(directory, { recursive: true });
  const keyFile = path.join(directory, 'key.pem');
  const certFile = path.join(directory, 'cert.pem');
  const made = spawnSync(
    OPENSSL,
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile, '-out', certFile,
      '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'],
    { encoding: 'utf8' },
  );
  if (made.status !== 0) throw new Error(`openssl req failed (${made.status ?? made.error?.message}): ${made.stderr.trim()}`);
  return { keyFile, certFile, spkiHash: spkiHash(readFileSync(certFile, 'utf8')) };
}

/** Connection-level headers of one hop, never forwarded to the next (RFC 9110 7.6.1). */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer'];

function withoutHopByHop(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const kept: http.OutgoingHttpHeaders = { ...headers };
  for (const name of HOP_BY_HOP) delete kept[name];
  return kept;
}

/**
 * Listens on `port` (localhost) over https and forwards to `http://127.0.0.1:<target>`, the body streamed
 * both ways. The app runs with APP_URL=https://localhost:<port>, so its origin checks expect the
 * https origin; X-Forwarded-Proto makes the URLs Next.js builds (redirects from proxy.ts) https too.
 */
export function startTlsFront(options: { port: number; target: number; certificate: TlsCertificate }): Promise<https.Server> {
  const agent = new http.Agent({ keepAlive: true });
  const server = https.createServer(
    { key: readFileSync(options.certificate.keyFile), cert: readFileSync(options.certificate.certFile) },
    (request, response) => {
      const upstream = http.request(
        {
          host: '127.0.0.1',
          port: options.target,
          method: request.method,
          path: request.url,
          headers: { ...withoutHopByHop(request.headers), 'x-forwarded-proto': 'https' },
          agent,
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, withoutHopByHop(answer.headers));
          answer.pipe(response);
        },
      );
      upstream.on('error', (error) => {
        if (!response.headersSent) response.writeHead(502, { 'Content-Type': 'text/plain' });
        response.end(`tls front: ${error.message}`);
      });
      request.pipe(upstream);
    },
  );
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve(server));
  });
}
