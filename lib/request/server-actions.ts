/**
 * What a POST to a page must look like before Next.js parses it: a server action of that page, with a
 * body that decodes; otherwise the proxy answers a plain 400 or 404 instead of Next's logged 500. No
 * database and no Node.js import: the proxy uses this. Which actions each page has comes from the
 * build's manifest (lib/request/server-action-manifest.ts), kept in the start-up registry
 * (lib/request/request-context.ts); without it (`next dev`) only the body is checked.
 * Why: docs/decisions/0045-proxy-checks-page-posts.md.
 */

import { startupRegistry } from './request-context';

type ActionRegistry = ReadonlyMap<string, ReadonlySet<string>>;

/** Called by instrumentation.ts: page path (`/payments`) to the ids of the actions its page may call. */
export function registerServerActions(actionsByPage: ActionRegistry): void {
  startupRegistry().serverActions = actionsByPage;
}

/** The page path of a manifest worker name: `app/settings/password/page` is `/settings/password`. */
export function pagePathOfWorker(worker: string): string | null {
  const match = /^app((?:\/[^/]+)*)\/page$/.exec(worker);
  if (!match) return null;
  // Route groups `(name)` are not part of the URL.
  const segments = match[1].split('/').filter((segment) => segment && !/^\(.*\)$/.test(segment));
  return `/${segments.join('/')}`;
}

/**
 * The page ids from a parsed `server-reference-manifest.json` (`{ node: { [id]: { workers: {
 * 'app/payments/page': … } } } }`): each action id under every page whose worker holds it.
 */
export function actionsByPageFromManifest(manifest: unknown): Map<string, Set<string>> {
  const byPage = new Map<string, Set<string>>();
  const node = (manifest as { node?: Record<string, { workers?: Record<string, unknown> }> } | null)?.node ?? {};
  for (const [id, entry] of Object.entries(node)) {
    for (const worker of Object.keys(entry.workers ?? {})) {
      const page = pagePathOfWorker(worker);
      if (!page) continue;
      if (!byPage.has(page)) byPage.set(page, new Set());
      byPage.get(page)!.add(id);
    }
  }
  return byPage;
}

/** What the proxy does with a POST to a page. */
export type ActionRequestCheck = { ok: true } | { ok: false; status: 400 | 404; reason: 'malformed' | 'unknown_action' };

/** A well-formed action id: what Next.js generates (hex). Anything else cannot name an action. */
const ACTION_ID = /^[0-9a-f]{2,128}$/i;

const MALFORMED = { ok: false, status: 400, reason: 'malformed' } as const;
const UNKNOWN_ACTION = { ok: false, status: 404, reason: 'unknown_action' } as const;

/**
 * Checks a POST to the page at `pathname` without consuming `request`'s own body (it reads a clone).
 * - With a `Next-Action` header (the client router's call): the id must be one of this page's
 *   actions, and the body must decode: a multipart form, or JSON whose top level is an array (React
 *   encodes an action's arguments as one).
 * - Without one, a multipart form is a form posted without script (progressive enhancement): it
 *   must name an action, and every action it names (`$ACTION_ID_<id>`, `$ACTION_<n>:0` `{"id":…}`)
 *   must be one of this page's.
 * - Any other POST is no action, and Next.js renders the page as for a GET: left alone.
 */
export async function checkActionRequest(pathname: string, request: Request): Promise<ActionRequestCheck> {
  const actionId = request.headers.get('next-action');
  const multipart = /^multipart\/form-data\b/i.test(request.headers.get('content-type') ?? '');
  if (actionId === null && !multipart) return { ok: true };
  if (actionId !== null && !ACTION_ID.test(actionId)) return MALFORMED;

  const named: string[] = actionId === null ? [] : [actionId];
  const copy = request.clone();
  if (multipart) {
    let form: FormData;
    try {
      form = await copy.formData();
    } catch {
      return MALFORMED;
    }
    // The client router's call: the arguments are the JSON in field `0`, referring to other fields.
    if (actionId !== null && !isWellFormedReply(form.get('0'), (id) => form.get(String(id)))) return MALFORMED;
    if (actionId === null) {
      for (const [key, value] of form) {
        if (key.startsWith('$ACTION_ID_')) named.push(key.slice('$ACTION_ID_'.length));
        else if (/^\$ACTION_\d+:0$/.test(key)) {
          const id = boundActionId(value);
          if (id === null) return MALFORMED;
          named.push(id);
        }
      }
      // A form posted to a page that names no action: Next.js answers it with an error it logs.
      if (named.length === 0) return MALFORMED;
    }
  } else {
    // A body without a form: the arguments alone, with nothing else to refer to.
    if (!isWellFormedReply(await copy.text(), () => null)) return MALFORMED;
  }

  const known = startupRegistry().serverActions;
  if (known && named.some((id) => !ACTION_ID.test(id) || !known.get(pathname)?.has(id))) return UNKNOWN_ACTION;
  return { ok: true };
}

/** The id in a bound action's `$ACTION_<n>:0` field (`{"id":"…","bound":…}`), or null if it has none. */
function boundActionId(value: FormDataEntryValue): string | null {
  if (typeof value !== 'string') return null;
  try {
    const parsed: unknown = JSON.parse(value);
    const id = (parsed as { id?: unknown } | null)?.id;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}

/**
 * React's reply format (what `decodeReply` reads): JSON whose strings may start with `$` and a type
 * letter. Some of those refer to another part of the body by a hex id (a promise, a Map, a nested
 * model, a typed array, a blob, a stream); React waits for a missing part until the body ends, then
 * fails the request with "Connection closed" and a 500. So every such reference must name a part
 * that exists, and a part read as a model must itself be well formed. The rest (`$$` an escaped `$`,
 * `$K` a form's fields, `$T`, `$D` dates, `$n` big integers, `$u`, `$N`, `$I`, `$-`, `$H`) refer to
 * nothing. Read from react-server-dom's `parseModelString` (React 19).
 */
const NO_REFERENCE = new Set(['$', 'H', 'T', 'K', 'I', '-', 'N', 'u', 'D', 'n']);
/** References to a part that is raw bytes or a stream: it must exist; its content is not a model. */
const RAW_PART = new Set(['A', 'O', 'o', 'U', 'S', 's', 'L', 'l', 'G', 'g', 'M', 'm', 'V', 'B', 'R', 'r', 'X', 'x']);
/** References to a part read as a model: a promise, a server reference, a Map, a Set, an iterator. */
const MODEL_PART = new Set(['@', 'h', 'Q', 'W', 'i']);
/** Bounds the walk: an action's arguments are a small form. */
const MAX_REPLY_VALUES = 10_000;

function isWellFormedReply(root: FormDataEntryValue | string | null, part: (id: number) => FormDataEntryValue | null): boolean {
  if (typeof root !== 'string') return false;
  let values = 0;
  const checked = new Set<number>();

  const model = (text: string): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  };

  const walk = (value: unknown): boolean => {
    if (++values > MAX_REPLY_VALUES) return false;
    if (typeof value === 'string') return value.startsWith('$') ? reference(value) : true;
    if (Array.isArray(value)) return value.every(walk);
    if (value !== null && typeof value === 'object') return Object.values(value).every(walk);
    return true;
  };

  const reference = (value: string): boolean => {
    const tag = value[1];
    if (tag === undefined) return false;
    if (NO_REFERENCE.has(tag)) return true;
    const raw = RAW_PART.has(tag);
    // `$<hex>` (an outlined model) has no letter; `:path` after the id points inside the part.
    const idText = (raw || MODEL_PART.has(tag) ? value.slice(2) : value.slice(1)).split(':')[0];
    if (!/^[0-9a-f]+$/i.test(idText)) return false;
    const id = parseInt(idText, 16);
    const found = part(id);
    if (found === null) return false;
    if (raw || checked.has(id)) return true;
    checked.add(id);
    if (typeof found !== 'string') return false;
    const parsed = model(found);
    return parsed !== undefined && walk(parsed);
  };

  const parsed = model(root);
  // React encodes an action's arguments as one array.
  return Array.isArray(parsed) && walk(parsed);
}
