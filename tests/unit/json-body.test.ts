/**
 * Memory exhaustion through request bodies: the unauthenticated JSON endpoints read request bodies with a
 * hard limit. Each test sends the attack as a real NextRequest body (the object Next.js hands a route
 * handler) and counts what the parser actually pulled from the stream, so "cut off" is measured, not assumed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { NextRequest } from 'next/server';
import { z } from 'zod';
import { JSON_BODY_MAX_BYTES, parseJsonBody } from '../../lib/route/json-body';

const URL_ = 'http://localhost:3000/api/auth/signup';
const schema = z.object({ email: z.string(), password: z.string() });
const CHUNK = 64 * 1024;

/**
 * A body stream that counts every byte the consumer pulls and records whether it was cancelled.
 * `totalBytes: Infinity` never ends: a reader that waits for the end would hang the test.
 */
function countingBody(totalBytes: number, fill = 0x20) {
  const stats = { pulledBytes: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>(
    {
      // Yields to the event loop between chunks, as a network body does (and so a test timer can fire).
      async pull(controller) {
        await nextTurn();
        const size = Math.min(CHUNK, totalBytes - stats.pulledBytes);
        if (size <= 0) return controller.close();
        stats.pulledBytes += size;
        controller.enqueue(new Uint8Array(size).fill(fill));
      },
      cancel() {
        stats.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, stats };
}

function request(body: BodyInit | null, headers: Record<string, string>) {
  // `duplex: 'half'` is what a streamed request body needs (Fetch spec); Next's RequestInit type omits it.
  const init = { method: 'POST', headers, body, duplex: 'half' };
  return new NextRequest(URL_, init as ConstructorParameters<typeof NextRequest>[1]);
}

async function errorOf(result: Awaited<ReturnType<typeof parseJsonBody>>) {
  assert.equal(result.ok, false);
  if (result.ok) throw new Error('unreachable');
  return { status: result.response.status, body: (await result.response.json()) as { error: string } };
}

// Without the limit these attacks read 50 MB to endless bodies: a time limit turns a hang into a failure.
const ATTACK = { timeout: 10_000 };

describe('JSON request bodies (oversized body attacks)', () => {
  test('oversized body: a huge declared Content-Length is refused with 413 before a byte is read', ATTACK, async () => {
    const { stream, stats } = countingBody(400 * 1024 * 1024);
    const result = await parseJsonBody(
      request(stream, { 'content-type': 'application/json', 'content-length': String(400 * 1024 * 1024) }),
      schema,
    );
    const { status, body } = await errorOf(result);
    assert.equal(status, 413);
    assert.match(body.error, /too large/);
    assert.equal(stats.pulledBytes, 0, 'nothing pulled from the body');
  });

  test('oversized chunked body: a body without Content-Length is cut off at the limit and cancelled', ATTACK, async () => {
    const { stream, stats } = countingBody(50 * 1024 * 1024);
    const { status } = await errorOf(await parseJsonBody(request(stream, { 'content-type': 'application/json' }), schema));
    assert.equal(status, 413);
    assert.ok(stats.pulledBytes <= JSON_BODY_MAX_BYTES + CHUNK, `pulled ${stats.pulledBytes} bytes of 50 MB`);
    assert.equal(stats.cancelled, true, 'the rest of the body is cancelled, not left to arrive');
  });

  test('endless chunked body: a stream that never ends gets 413 instead of holding the request forever', ATTACK, async () => {
    const { stream, stats } = countingBody(Infinity);
    const { status } = await errorOf(await parseJsonBody(request(stream, { 'content-type': 'application/json' }), schema));
    assert.equal(status, 413);
    assert.ok(stats.pulledBytes <= JSON_BODY_MAX_BYTES + CHUNK);
    assert.equal(stats.cancelled, true);
  });

  test('oversized body flood: many concurrent 50 MB chunked bodies pull only their first chunk each', ATTACK, async () => {
    const bodies = Array.from({ length: 32 }, () => countingBody(50 * 1024 * 1024));
    const results = await Promise.all(
      bodies.map(({ stream }) => parseJsonBody(request(stream, { 'content-type': 'application/json' }), schema)),
    );
    for (const result of results) assert.equal((await errorOf(result)).status, 413);
    const pulled = bodies.reduce((sum, { stats }) => sum + stats.pulledBytes, 0);
    assert.ok(pulled <= 32 * (JSON_BODY_MAX_BYTES + CHUNK), `pulled ${pulled} bytes of 1.6 GB`);
  });

  test('a Content-Length that understates the body does not lift the limit', ATTACK, async () => {
    const { stream, stats } = countingBody(1024 * 1024);
    const { status } = await errorOf(
      await parseJsonBody(request(stream, { 'content-type': 'application/json', 'content-length': '10' }), schema),
    );
    assert.equal(status, 413);
    assert.ok(stats.pulledBytes <= JSON_BODY_MAX_BYTES + CHUNK);
  });

  test('a body of exactly the limit is read (the limit is inclusive)', async () => {
    const json = JSON.stringify({ email: 'a@example.com', password: 'x' });
    const padded = json + ' '.repeat(JSON_BODY_MAX_BYTES - json.length);
    const result = await parseJsonBody(request(padded, { 'content-type': 'application/json' }), schema);
    assert.deepEqual(result, { ok: true, data: { email: 'a@example.com', password: 'x' } });
    const over = await parseJsonBody(request(padded + ' ', { 'content-type': 'application/json' }), schema);
    assert.equal((await errorOf(over)).status, 413);
  });

  for (const [name, contentType] of [
    ['text/plain (a cross-site form with enctype=text/plain)', 'text/plain'],
    ['form-encoded (a cross-site form)', 'application/x-www-form-urlencoded'],
    ['multipart', 'multipart/form-data; boundary=x'],
    ['a look-alike type', 'application/jsonp'],
  ] as const) {
    test(`wrong content type: ${name} gets 415 and the body is not read`, async () => {
      const { stream, stats } = countingBody(1024);
      const { status, body } = await errorOf(await parseJsonBody(request(stream, { 'content-type': contentType }), schema));
      assert.equal(status, 415);
      assert.match(body.error, /application\/json/);
      assert.equal(stats.pulledBytes, 0);
    });
  }

  test('wrong content type: a missing Content-Type gets 415', async () => {
    // A Request with a string body gets text/plain by default: send bytes to have no type at all.
    const req = request(new TextEncoder().encode('{"email":"a","password":"b"}'), {});
    assert.equal(req.headers.get('content-type'), null);
    assert.equal((await errorOf(await parseJsonBody(req, schema))).status, 415);
  });

  test('application/json; charset=utf-8 (and any letter case) is accepted', async () => {
    for (const contentType of ['application/json; charset=utf-8', 'Application/JSON;charset=UTF-8', 'application/json']) {
      const result = await parseJsonBody(
        request(JSON.stringify({ email: 'a@example.com', password: 'pässwörd ✓' }), { 'content-type': contentType }),
        schema,
      );
      assert.deepEqual(result, { ok: true, data: { email: 'a@example.com', password: 'pässwörd ✓' } }, contentType);
    }
  });

  test('malformed JSON, invalid UTF-8 and invalid fields are 400', async () => {
    const malformed = await parseJsonBody(request('{"email": ', { 'content-type': 'application/json' }), schema);
    assert.equal((await errorOf(malformed)).status, 400);
    const badUtf8 = await parseJsonBody(
      request(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), { 'content-type': 'application/json' }),
      schema,
    );
    assert.equal((await errorOf(badUtf8)).status, 400);
    const invalid = await parseJsonBody(request('{"email": 1}', { 'content-type': 'application/json' }), schema);
    const { status } = await errorOf(invalid);
    assert.equal(status, 400);
  });
});
