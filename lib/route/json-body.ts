/**
 * Request bodies of the JSON route handlers, read under a hard size limit (CWE-770) and parsed with zod:
 * data of the schema's type, or a ready error response (415, 413, or 400 with field errors).
 * routeHandler({ body }) reads them through here. Why the limit and how it holds for a chunked body:
 * docs/decisions/0012-bounded-json-bodies.md.
 */
import type { NextRequest, NextResponse } from 'next/server';
import type { z } from 'zod';
import { fieldErrors } from '../forms/validation';
import { jsonError } from './responses';

export type Parsed<T> = { ok: true; data: T } | { ok: false; response: NextResponse };

/** Sign-in and sign-up bodies are under 2 KB even fully escaped; 8 KB leaves room without inviting abuse. */
export const JSON_BODY_MAX_BYTES = 8 * 1024;

export const BODY_TOO_LARGE = 'The request body is too large.';
export const NOT_JSON = 'Send the request body as JSON (Content-Type: application/json).';
export const INVALID_JSON = 'The request body must be valid JSON.';

/** Why the raw body could not be read; each maps to one status. */
export type BodyReadFailure = 'too_large' | 'not_json' | 'invalid_json';

export type BodyRead = { ok: true; value: unknown } | { ok: false; reason: BodyReadFailure };

/** `application/json`, with or without parameters (`; charset=utf-8`), in any letter case. */
export function isJsonContentType(header: string | null): boolean {
  if (header === null) return false;
  return header.split(';', 1)[0].trim().toLowerCase() === 'application/json';
}

/**
 * The body as parsed JSON, never reading more than `maxBytes` (plus the chunk that crossed the limit).
 * A non-JSON content type is refused without reading (ASVS 4.0.3 13.2.5: check the incoming
 * Content-Type): a cross-site HTML form can only send form-encoded, multipart or text/plain bodies, so
 * this also keeps these endpoints out of a plain form's reach, behind the Origin check.
 */
export async function readJsonBody(req: Request, maxBytes = JSON_BODY_MAX_BYTES): Promise<BodyRead> {
  if (!isJsonContentType(req.headers.get('content-type'))) return { ok: false, reason: 'not_json' };

  const declared = req.headers.get('content-length');
  if (declared !== null && !(/^\d+$/.test(declared.trim()) && Number(declared) <= maxBytes)) {
    return { ok: false, reason: 'too_large' };
  }

  const bytes = await readAtMost(req.body, maxBytes);
  if (bytes === 'too_large') return { ok: false, reason: 'too_large' };

  try {
    // Fatal decoding: RFC 8259 JSON is UTF-8, and a malformed sequence is an error, not U+FFFD.
    return { ok: true, value: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) };
  } catch {
    return { ok: false, reason: 'invalid_json' };
  }
}

/**
 * Pulls chunks until the stream ends or the running total passes `maxBytes`; then cancels it, so the
 * rest is never pulled (an endless chunked body ends here too).
 */
async function readAtMost(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Uint8Array | 'too_large'> {
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        return 'too_large';
      }
      chunks.push(value);
    }
  } catch {
    // The client aborted mid-body: whatever arrived is incomplete, so it cannot be valid JSON.
    return new Uint8Array(0);
  } finally {
    reader.releaseLock();
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** 415 for a non-JSON content type, 413 for a body over the limit, 400 for bad JSON or invalid fields. */
export async function parseJsonBody<S extends z.ZodType>(
  req: NextRequest,
  schema: S,
  maxBytes = JSON_BODY_MAX_BYTES,
): Promise<Parsed<z.infer<S>>> {
  const read = await readJsonBody(req, maxBytes);
  if (!read.ok) {
    switch (read.reason) {
      case 'not_json':
        return { ok: false, response: jsonError(415, NOT_JSON, { headers: { Accept: 'application/json' } }) };
      case 'too_large':
        return { ok: false, response: jsonError(413, BODY_TOO_LARGE) };
      case 'invalid_json':
        return { ok: false, response: jsonError(400, INVALID_JSON) };
    }
  }
  const result = schema.safeParse(read.value);
  if (!result.success) {
    return {
      ok: false,
      response: jsonError(400, 'Please correct the highlighted fields.', { fieldErrors: fieldErrors(result.error) }),
    };
  }
  return { ok: true, data: result.data };
}
