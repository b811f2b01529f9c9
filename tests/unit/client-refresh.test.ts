/**
 * lib/client/refresh.ts tells the session clock about every renewal it makes, so the dashboard
 * redraws after a renewal a button triggered instead of still showing "expired". `fetch` is replaced
 * by a stub that answers as the refresh handler does.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { refreshSession } from '../../lib/client/refresh';
import { getSessionClockSnapshot, resetSessionClock } from '../../lib/client/session-clock';

const realFetch = globalThis.fetch;
let requests: { url: string; method: string }[] = [];

function answerWith(response: () => Response | Promise<Response>) {
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    requests.push({ url: String(input), method: init?.method ?? 'GET' });
    return response();
  };
}

const answer = {
  accessTokenIssuedAt: '2026-11-28T06:36:00.000Z',
  accessTokenExpiresAt: '2026-11-28T06:41:00.000Z',
  sessionId: 'session-1',
  session: null,
};

beforeEach(() => {
  requests = [];
  resetSessionClock();
});
afterEach(() => {
  globalThis.fetch = realFetch;
});

test('a successful renewal publishes the new token’s times to the session clock', async () => {
  answerWith(() => Response.json(answer));
  const renewing = refreshSession();
  assert.equal(getSessionClockSnapshot().renewing, true, 'the clock knows a renewal is on its way');
  assert.equal(await renewing, 'renewed');
  const snapshot = getSessionClockSnapshot();
  assert.equal(snapshot.renewing, false);
  assert.equal(snapshot.renewed?.accessToken.expiresAt, answer.accessTokenExpiresAt);
  assert.equal(snapshot.last?.outcome, 'renewed');
  assert.deepEqual(requests, [{ url: '/api/auth/refresh', method: 'POST' }]);
});

test('concurrent callers share one renewal and one report', async () => {
  answerWith(() => Response.json(answer));
  const results = await Promise.all([refreshSession(), refreshSession(), refreshSession()]);
  assert.deepEqual(results, ['renewed', 'renewed', 'renewed']);
  assert.equal(requests.length, 1);
  assert.equal(getSessionClockSnapshot().last?.count, 1);
});

test('a refused renewal is reported as refused and leaves no clock', async () => {
  answerWith(() => Response.json({ error: 'Your session has ended. Sign in again.' }, { status: 401 }));
  assert.equal(await refreshSession(), 'refused');
  assert.equal(getSessionClockSnapshot().last?.outcome, 'refused');
  assert.equal(getSessionClockSnapshot().renewed, null);
});

test('a network failure is reported as unreachable', async () => {
  answerWith(() => Promise.reject(new TypeError('fetch failed')));
  assert.equal(await refreshSession(), 'unreachable');
  assert.equal(getSessionClockSnapshot().last?.outcome, 'unreachable');
  assert.equal(getSessionClockSnapshot().renewing, false);
});

test('a failing server (5xx) is unreachable too, never a refusal: it says nothing about the session', async () => {
  for (const status of [500, 502, 503]) {
    answerWith(() => Response.json({ error: 'The service is unavailable right now.' }, { status }));
    assert.equal(await refreshSession(), 'unreachable', String(status));
    assert.equal(getSessionClockSnapshot().last?.outcome, 'unreachable');
  }
});
