/**
 * Request bodies of the JSON route handlers, parsed with zod into typed results: a handler either gets
 * data of its schema's type or a ready 400 response with field errors a form can show.
 */
import type { NextRequest, NextResponse } from 'next/server';
import type { z } from 'zod';
import { fieldErrors } from '../validation';
import { jsonError } from './responses';

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
