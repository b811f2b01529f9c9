/**
 * Small helpers for JSON route handlers: one error shape, bodies parsed with zod into typed results,
 * and the same-origin gate for every state-changing handler.
 */
import { NextResponse, type NextRequest } from 'next/server';
import type { z } from 'zod';
import { isSameOriginRequest } from './origin';
import { fieldErrors, type FieldErrors } from './validation';

export type ApiError = { error: string; fieldErrors?: FieldErrors };

export function jsonError(status: number, error: string, init?: { fieldErrors?: FieldErrors; headers?: HeadersInit }) {
  const body: ApiError = init?.fieldErrors ? { error, fieldErrors: init.fieldErrors } : { error };
  return NextResponse.json(body, { status, headers: { 'Cache-Control': 'no-store', ...init?.headers } });
}

export function json<T>(body: T, status = 200) {
  return NextResponse.json(body, { status, headers: { 'Cache-Control': 'no-store' } });
}

/** 403 for a cross-site or origin-less request (ASVS 3.5.3); null when the request may proceed. */
export function rejectCrossOrigin(req: NextRequest): NextResponse | null {
  if (isSameOriginRequest(req.headers)) return null;
  return jsonError(403, 'Cross-origin request refused');
}

export type Parsed<T> = { ok: true; data: T } | { ok: false; response: NextResponse };

/** Malformed JSON and invalid fields both become 400 with a message a client can show. */
export async function parseJsonBody<S extends z.ZodType>(req: NextRequest, schema: S): Promise<Parsed<z.infer<S>>> {
  let body: unknown;
  try {
    body = await req.json();
  } catch {
    return { ok: false, response: jsonError(400, 'The request body must be valid JSON.') };
  }
  const result = schema.safeParse(body);
  if (!result.success) {
    return {
      ok: false,
      response: jsonError(400, 'Please correct the highlighted fields.', { fieldErrors: fieldErrors(result.error) }),
    };
  }
  return { ok: true, data: result.data };
}

/**
 * A redirect with a relative Location: the browser resolves it against the URL it actually used, so
 * cookies set on this response land on the same host (Next reports `localhost` in req.url even for a
 * request sent to 127.0.0.1).
 */
export function redirectTo(path: string, status: 303 | 307 = 303) {
  return new NextResponse(null, { status, headers: { Location: path, 'Cache-Control': 'no-store' } });
}
