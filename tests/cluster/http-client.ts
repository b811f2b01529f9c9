/**
 * Plain HTTP for the cross-instance test: node:http, so a test controls everything a browser would
 * not let it (the Origin header, the source address through `localAddress`, forged forwarding
 * headers) and sees every Set-Cookie line. No cookie jar: each request names its cookies.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';

export type Reply = {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Cookies the response set, by name (the value; an empty string for a deletion). */
  cookies: Map<string, string>;
  text: string;
};

export type RequestOptions = {
  method?: string;
  headers?: Record<string, string>;
  cookies?: Record<string, string>;
  body?: string | Buffer;
  /** The source address of the connection (127.0.0.x on loopback). */
  localAddress?: string;
};

export function send(url: string, options: RequestOptions = {}): Promise<Reply> {
  const target = new URL(url);
  const headers: Record<string, string> = { ...options.headers };
  if (options.cookies) headers.cookie = Object.entries(options.cookies).map(([n, v]) => `${n}=${v}`).join('; ');
  if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname === 'localhost' ? '127.0.0.1' : target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: options.method ?? 'GET',
        headers: { host: target.host, ...headers },
        localAddress: options.localAddress,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const cookies = new Map<string, string>();
          for (const line of res.headers['set-cookie'] ?? []) {
            const [pair] = line.split(';');
            const at = pair!.indexOf('=');
            cookies.set(pair!.slice(0, at).trim(), pair!.slice(at + 1).trim());
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, cookies, text: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** A JSON POST from the app's own origin, as its pages make. */
export function postJson(url: string, origin: string, body: unknown, options: RequestOptions = {}): Promise<Reply> {
  return send(url, {
    ...options,
    method: 'POST',
    headers: { 'content-type': 'application/json', origin, ...options.headers },
    body: JSON.stringify(body),
  });
}

/** The claims of a JWT, unverified: the test reads the session id the server put there. */
export function jwtClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

const PROJECT_ROOT = path.resolve(import.meta.dirname, '..', '..');

/** The id Next.js gave a server action in this build (the `Next-Action` header a form's post carries). */
export function serverActionId(file: string, exportedName: string): string {
  const manifest = JSON.parse(readFileSync(path.join(PROJECT_ROOT, '.next', 'server', 'server-reference-manifest.json'), 'utf8')) as {
    node: Record<string, { filename?: string; exportedName?: string }>;
  };
  const found = Object.entries(manifest.node).find(([, entry]) => entry.filename === file && entry.exportedName === exportedName);
  if (!found) throw new Error(`no server action ${exportedName} in ${file} in this build`);
  return found[0];
}

// React's own encoder for server-action arguments, from the copy Next.js ships: the body is exactly what
// the browser's `useActionState` form sends.
const requireFromProject = createRequire(path.join(PROJECT_ROOT, 'package.json'));
const { encodeReply } = requireFromProject('next/dist/compiled/react-server-dom-webpack/client.node.js') as {
  encodeReply(value: unknown): Promise<FormData | string>;
};

export type ActionOutcome = { status: 'success' | 'error' | 'idle'; code?: string; message?: string };

/**
 * Calls a `(previousState, formData)` server action over HTTP as the browser does, and returns the
 * ActionState it answered with (read from the RSC payload).
 */
export async function callServerAction(
  url: string,
  options: { page: string; actionId: string; origin: string; fields: Record<string, string>; cookies: Record<string, string> },
): Promise<{ reply: Reply; outcome: ActionOutcome | null }> {
  // Next.js refuses a server action whose Origin's host differs from Host (or X-Forwarded-Host). Behind
  // nginx the instance sees the public Host (proxy_set_header Host $http_host); a request sent to an
  // instance directly, standing in for the load balancer's choice, says the same.
  const publicHost = new URL(options.origin).host;
  const form = new FormData();
  for (const [name, value] of Object.entries(options.fields)) form.set(name, value);
  const encoded = await encodeReply([{ status: 'idle' }, form]);
  const multipart = new Response(encoded as FormData);
  const body = Buffer.from(await multipart.arrayBuffer());
  const reply = await send(`${url}${options.page}`, {
    method: 'POST',
    headers: {
      host: publicHost,
      origin: options.origin,
      accept: 'text/x-component',
      'next-action': options.actionId,
      'content-type': multipart.headers.get('content-type')!,
    },
    cookies: options.cookies,
    body,
  });
  return { reply, outcome: actionOutcome(reply.text) };
}

/** The ActionState row of an RSC answer: a JSON object with a `status` of success, error or idle. */
function actionOutcome(payload: string): ActionOutcome | null {
  for (const line of payload.split('\n')) {
    const json = /^[0-9a-f]+:(\{.*\})$/.exec(line)?.[1];
    if (!json) continue;
    try {
      const value = JSON.parse(json) as Record<string, unknown>;
      if (value.status === 'success' || value.status === 'error') return value as ActionOutcome;
    } catch {
      // another kind of row
    }
  }
  return null;
}

export const newIdempotencyKey = () => randomUUID();
