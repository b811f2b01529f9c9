/**
 * Memory exhaustion through request bodies: logout and refresh take no body, so an attacker's body to them
 * must never be read at all. Each request carries an endless stream that counts what is pulled from it.
 */
// database: sqlite-only — what it proves is that a request body is never read; the database only holds the sessions the requests name
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NextRequest } from 'next/server';
import { useTestDatabase } from '../helpers/database';
import { APP_ORIGIN } from '../helpers/http';
import { POST as logout } from '../../app/api/auth/logout/route';
import { POST as refresh } from '../../app/api/auth/refresh/route';

useTestDatabase();

function endlessBodyRequest(path: string) {
  const stats = { pulledBytes: 0 };
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        stats.pulledBytes += 65_536;
        controller.enqueue(new Uint8Array(65_536));
      },
    },
    { highWaterMark: 0 },
  );
  const init = {
    method: 'POST',
    headers: { host: new URL(APP_ORIGIN).host, origin: APP_ORIGIN, 'content-type': 'application/json' },
    body,
    duplex: 'half',
  };
  return { request: new NextRequest(new URL(path, APP_ORIGIN), init as ConstructorParameters<typeof NextRequest>[1]), stats };
}

describe('handlers without a body (oversized body attacks)', () => {
  for (const [path, handler, status] of [
    ['/api/auth/logout', logout, 200],
    ['/api/auth/refresh', refresh, 401],
  ] as const) {
    test(`endless body to ${path}: answered without reading a byte of it`, { timeout: 10_000 }, async () => {
      const { request, stats } = endlessBodyRequest(path);
      const response = await handler(request);
      assert.equal(response.status, status);
      assert.equal(stats.pulledBytes, 0);
    });
  }
});
