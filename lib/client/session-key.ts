/**
 * Where the page keeps its session key (the fallback tier): IndexedDB database `session-binding`,
 * store `key`, one record `current` = {key, nonce, clockOffsetMs}. A `CryptoKey` is structured-cloneable,
 * so the non-extractable private key is stored as the browser's own object, never as bytes. The
 * renewal page's inline script (lib/route/renewal-hop.ts) reads and writes the same record.
 * Why: docs/decisions/0102-key-bound-renewal.md.
 */
import { ACTION_PROOF_PATH, KEY_PROOF_FIELD } from '../binding/action-proof';
import { createSessionKey, serverClockOffsetMs, signKeyProof, type SessionKey } from './key-proof-signer';

type KeyRecord = { key: SessionKey; nonce?: string; clockOffsetMs: number };

function withStore<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('session-binding', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('key');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const request = work(open.result.transaction('key', mode).objectStore('key'));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    };
  });
}

const save = (record: KeyRecord) => withStore('readwrite', (store) => store.put(record, 'current'));

async function load(): Promise<KeyRecord | null> {
  if (typeof indexedDB === 'undefined') return null;
  const record = (await withStore('readonly', (store) => store.get('current')).catch(() => null)) as KeyRecord | undefined | null;
  return record?.key ? record : null;
}

/**
 * A new key and its proof for the sign-in request, or null where this browser cannot keep one (no
 * WebCrypto, no IndexedDB, or either refused): then it signs in unbound, as before.
 */
export async function keyForSignIn(url: string): Promise<{ key: SessionKey; proof: string } | null> {
  try {
    if (typeof indexedDB === 'undefined' || !globalThis.crypto?.subtle) return null;
    const key = await createSessionKey();
    return { key, proof: await signKeyProof(key, { method: 'POST', url: new URL(url, location.href).href }) };
  } catch {
    return null;
  }
}

/** After a bound sign-in: keep the key with the first nonce and the server's clock. */
export async function keepSessionKey(key: SessionKey, response: Response): Promise<void> {
  const clockOffsetMs = serverClockOffsetMs(response.headers.get('Date'));
  await save({ key, nonce: response.headers.get('DPoP-Nonce') ?? undefined, clockOffsetMs });
}

/** At sign-out: the key has no session left to renew. */
export async function forgetSessionKey(): Promise<void> {
  if (typeof indexedDB === 'undefined') return;
  await withStore('readwrite', (store) => store.delete('current')).catch(() => undefined);
}

/**
 * POST /api/auth/refresh, signed when this browser holds a key: on `use_dpop_nonce` (a nonce another
 * tab used first, or a drifted clock) it signs again with the nonce and time given, at most twice.
 * Without a key, the plain request (an unbound session renews; a bound one is refused).
 */
export async function postRenewal(): Promise<Response> {
  const url = '/api/auth/refresh';
  const record = await load();
  if (!record) return fetch(url, { method: 'POST', credentials: 'same-origin' });
  let nonce = record.nonce;
  for (let attempt = 0; ; attempt++) {
    const proof = await signKeyProof(record.key, { method: 'POST', url: new URL(url, location.href).href, nonce, clockOffsetMs: record.clockOffsetMs });
    const response = await fetch(url, { method: 'POST', credentials: 'same-origin', headers: { DPoP: proof } });
    const given = response.headers.get('DPoP-Nonce') ?? undefined;
    if (response.ok) {
      // The server's clock as of this answer: a device clock that drifted since sign-in is corrected here,
      // for sessions whose renewal never asks to sign again (DBSC) as for the others.
      const date = response.headers.get('Date');
      const clockOffsetMs = date ? serverClockOffsetMs(date) : record.clockOffsetMs;
      await save({ ...record, nonce: given ?? nonce, clockOffsetMs }).catch(() => undefined);
      return response;
    }
    if (attempt === 2 || !given) return response;
    const body = (await response.clone().json().catch(() => ({}))) as { retry?: string; serverTime?: string };
    if (body.retry !== 'use_dpop_nonce') return response;
    nonce = given;
    if (body.serverTime) record.clockOffsetMs = Date.parse(body.serverTime) - Date.now();
  }
}

/**
 * A proof signed with the key this page holds, for `request` (a path or URL of this origin), on the
 * server's clock; null when this browser holds no key. The lab signs its demonstration with it.
 */
export async function signWithSessionKey(request: { method: string; url: string; nonce?: string }): Promise<string | null> {
  const record = await load();
  if (!record) return null;
  return signKeyProof(record.key, { ...request, url: new URL(request.url, location.href).href, clockOffsetMs: record.clockOffsetMs });
}

/**
 * A checked action's form with this page's proof of holding its session key (lib/binding/action-proof.ts),
 * signed afresh for each submission: a bound session acts on the strength of it, where a copied access
 * token would have to type the password. The form as it was when this browser holds no key.
 */
export async function withKeyProof(form: FormData): Promise<FormData> {
  const proof = await signWithSessionKey({ method: 'POST', url: ACTION_PROOF_PATH }).catch(() => null);
  if (!proof) return form;
  const signed = new FormData();
  for (const [name, value] of form) signed.append(name, value);
  signed.set(KEY_PROOF_FIELD, proof);
  return signed;
}
