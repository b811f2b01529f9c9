/**
 * Three `next start` instances behind nginx on one PostgreSQL (scripts/lib/cluster.ts), over real
 * HTTP: nothing that matters may live in one instance's memory. Each test spreads its requests over
 * the instances by addressing them directly (request i goes to instance i % 3), and sends some through
 * nginx as well.
 *
 *   npm run test:cluster       (builds first if there is no build; needs Debian's postgresql and nginx)
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import type { Cluster } from '../../scripts/lib/cluster';
import { DEMO_PASSWORD } from '../../scripts/lib/seed';
import { db } from '../../lib/db/client';
import { REVOCATION_LIST_REFRESH_MS } from '../../lib/session/revocation-list';
import { callServerAction, jwtClaims, newIdempotencyKey, postJson, send, serverActionId, type Reply } from './http-client';
import { BindingClient } from '../helpers/binding-client';
import { ACTION_PROOF_PATH, KEY_PROOF_FIELD } from '../../lib/binding/action-proof';
import { startTestCluster } from './fixture';

/** What lib/session/revocation-list.ts promises across instances: 500 ms of snapshot age plus one query. */
const REVOCATION_BOUND_MS = 1_000;
const LOGIN_MAX_FAILURES = 5;

// The default cookie names (COOKIE_SECURE=true): this client sends them itself, so `Secure` is moot.
const ACCESS = '__Host-access_token';
const REFRESH = '__Secure-refresh_token';

let cluster: Cluster;
let origin: string;
/** Instance i directly, or nginx: the targets a test spreads its requests over. */
let direct: string[];

before(async () => {
  cluster = await startTestCluster({ ACCESS_TOKEN_CHECK: 'revocation-list', LOGIN_MAX_FAILURES: String(LOGIN_MAX_FAILURES) });
  origin = cluster.url;
  direct = cluster.instances.map((instance) => instance.url);
});

after(() => cluster?.stop());

/** `key`: the page key of a bound sign-in, whose proof its page sends with every checked action. */
type SignedIn = { access: string; refresh: string; sessionId: string; key?: BindingClient };

async function signIn(email: string, via = cluster.url, localAddress?: string, headers?: Record<string, string>): Promise<SignedIn> {
  const reply = await postJson(`${via}/api/auth/login`, origin, { email, password: DEMO_PASSWORD }, { localAddress, headers });
  assert.equal(reply.status, 200, reply.text);
  const access = reply.cookies.get(ACCESS)!;
  return { access, refresh: reply.cookies.get(REFRESH)!, sessionId: String(jwtClaims(access).sid) };
}

/**
 * Signed in bound to a key, as the sign-in form does: a bound session pays within its step-up window
 * without the password (an unbound one types it with each payment, UNBOUND_SESSION_POLICY).
 */
async function signInBound(email: string): Promise<SignedIn> {
  const key = await BindingClient.generate();
  const signedIn = await signIn(email, cluster.url, undefined, { DPoP: await key.keyProof({ method: 'POST', url: `${origin}/api/auth/login` }) });
  return { ...signedIn, key };
}

const paymentAction = () => serverActionId('app/payments/actions.ts', 'sendPaymentAction');

/** A payment as `who`'s page sends it: with the page key's proof when the sign-in was bound. */
async function pay(via: string, who: SignedIn, recipient: string, amount: string, idempotencyKey = newIdempotencyKey()) {
  const keyProof: Record<string, string> = who.key ? { [KEY_PROOF_FIELD]: await who.key.keyProof({ method: 'POST', url: `${origin}${ACTION_PROOF_PATH}` }) } : {};
  return callServerAction(via, {
    page: '/payments',
    actionId: paymentAction(),
    origin,
    fields: { recipient, amount, idempotencyKey, ...keyProof },
    cookies: { [ACCESS]: who.access },
  });
}

async function balanceOf(email: string): Promise<number> {
  return (await db().user.findUniqueOrThrow({ where: { email }, select: { balanceCents: true } })).balanceCents;
}

describe('three instances, one database', () => {
  test('20 concurrent refreshes of one token over all instances: one successor, no false logout', async () => {
    const session = await signIn('alice@example.com');
    const targets = Array.from({ length: 20 }, (_, i) => (i < 15 ? direct[i % 3]! : cluster.url));
    const replies = await Promise.all(
      targets.map((target) =>
        send(`${target}/api/auth/refresh`, {
          method: 'POST',
          headers: { origin },
          cookies: { [REFRESH]: session.refresh, [ACCESS]: session.access },
        }),
      ),
    );

    assert.deepEqual(replies.map((r) => r.status), Array(20).fill(200), 'no request was refused as reuse');
    const successors = new Set(replies.map((r) => r.cookies.get(REFRESH)));
    assert.equal(successors.size, 1, 'every answer carries the same successor');
    const [successor] = successors;
    assert.ok(successor && successor !== session.refresh);

    const session_ = await db().session.findUniqueOrThrow({ where: { id: session.sessionId }, include: { refreshTokens: true } });
    assert.equal(session_.revokedAt, null, 'the session is still active');
    assert.equal(session_.refreshTokens.filter((t) => t.rotatedAt !== null).length, 1, 'one rotation');
    assert.equal(session_.refreshTokens.length, 2, 'the presented token and its one successor');

    // The successor works, on any instance: the person is still signed in.
    const next = await send(`${direct[2]}/api/auth/refresh`, { method: 'POST', headers: { origin }, cookies: { [REFRESH]: successor! } });
    assert.equal(next.status, 200, next.text);
    for (const target of direct) {
      const me = await send(`${target}/api/me/active`, { cookies: { [ACCESS]: next.cookies.get(ACCESS)! } });
      assert.equal(me.status, 200, me.text);
    }
  });

  test('concurrent payments over the balance, spread over the instances: never overdrawn, ledger matches', async () => {
    const payer = await signInBound('alice@example.com');
    const opening = await balanceOf('alice@example.com');
    const recipientOpening = await balanceOf('bob@example.com');
    const amountCents = 7_500;
    const count = Math.floor(opening / amountCents) + 4; // four more than the balance covers
    const targets = [...direct, cluster.url];
    const keys = Array.from({ length: count }, () => newIdempotencyKey());
    // Plus one double submit of the first payment, on another instance at the same moment.
    const sends = [
      ...keys.map((key, i) => pay(targets[i % targets.length]!, payer, 'bob@example.com', '75.00', key)),
      pay(direct[1]!, payer, 'bob@example.com', '75.00', keys[0]),
    ];
    const results = await Promise.all(sends);

    for (const { reply, outcome } of results) {
      assert.equal(reply.status, 200, reply.text.slice(0, 300));
      assert.ok(outcome, `an action result in ${reply.text.slice(0, 300)}`);
      assert.ok(
        outcome.status === 'success' || (outcome.code === 'refused' && /balance is too low/.test(outcome.message ?? '')),
        JSON.stringify(outcome),
      );
    }
    const paid = await db().payment.findMany({ where: { idempotencyKey: { in: keys } } });
    const paidCents = paid.reduce((sum, p) => sum + p.amountCents, 0);
    assert.equal(paid.length, Math.floor(opening / amountCents), 'every payment the balance covers went through, once');
    assert.ok(paidCents <= opening);
    const closing = await balanceOf('alice@example.com');
    assert.ok(closing >= 0);
    assert.equal(closing, opening - paidCents, "the payer's balance matches the ledger");
    assert.equal(await balanceOf('bob@example.com'), recipientOpening + paidCents, "the recipient's too");
    // By idempotency key: when the double-submitted payment is among those the balance no longer covers,
    // both of its submissions are refused, and they are one payment not made.
    const keyOf = (i: number) => (i < count ? keys[i] : keys[0]);
    const refusedKeys = new Set<string>(results.flatMap((r, i) => (r.outcome?.status === 'error' ? [keyOf(i)] : [])));
    assert.equal(refusedKeys.size, count - paid.length, 'each refusal is a payment that was not made');
    assert.ok(paid.every((p) => !refusedKeys.has(p.idempotencyKey)), 'no payment both made and refused');
    const events = await db().securityEvent.count({ where: { type: 'payment_sent', sessionId: payer.sessionId } });
    assert.equal(events, paid.length, 'one payment_sent event per payment');
  });

  test('a sign-out on instance 1 is refused at once by a payment on instance 2, and by the revocation list on instance 3 within 1 s', async (t) => {
    const victim = await signInBound('bob@example.com');
    // Before: the same token pays on instance 2 and reads a protected page on instance 3.
    const before = await pay(direct[1]!, victim, 'alice@example.com', '0.01');
    assert.equal(before.outcome?.status, 'success', JSON.stringify(before.outcome));
    const page = await send(`${direct[2]}/dashboard`, { cookies: { [ACCESS]: victim.access } });
    assert.equal(page.status, 200);

    const logout = await send(`${direct[0]}/api/auth/logout`, {
      method: 'POST',
      headers: { origin },
      cookies: { [ACCESS]: victim.access, [REFRESH]: victim.refresh },
    });
    assert.equal(logout.status, 200);
    const loggedOutAt = performance.now();

    // The still-unexpired copy of the access token, on another instance, at once.
    const after = await pay(direct[1]!, victim, 'alice@example.com', '0.01');
    assert.equal(after.outcome?.code, 'session_ended', JSON.stringify(after.outcome));

    // Reads on instance 3 go through its cached revocation list: refused within the stated bound.
    let refusal: Reply | undefined;
    while (performance.now() - loggedOutAt < REVOCATION_BOUND_MS + 2_000) {
      const read = await send(`${direct[2]}/dashboard`, { cookies: { [ACCESS]: victim.access } });
      if (read.status !== 200) {
        refusal = read;
        break;
      }
      await sleep(25);
    }
    const elapsed = performance.now() - loggedOutAt;
    t.diagnostic(`instance 3 refused the read ${Math.round(elapsed)} ms after the sign-out on instance 1`);
    assert.ok(refusal, 'the read was never refused');
    assert.ok([303, 307].includes(refusal.status) && String(refusal.headers.location).startsWith('/login'), `${refusal.status} ${refusal.headers.location}`);
    assert.ok(elapsed <= REVOCATION_BOUND_MS, `refused after ${Math.round(elapsed)} ms; the bound is ${REVOCATION_BOUND_MS} ms`);
    assert.ok(REVOCATION_LIST_REFRESH_MS < REVOCATION_BOUND_MS);
    const me = await send(`${direct[2]}/api/me`, { cookies: { [ACCESS]: victim.access } });
    assert.equal(me.status, 401);
  });

  test('failed sign-ins for one email spread over the instances lock it after LOGIN_MAX_FAILURES in total', async () => {
    const email = `nobody-${randomUUID()}@example.com`;
    const statuses: number[] = [];
    for (let i = 0; i < LOGIN_MAX_FAILURES + 4; i++) {
      const reply = await postJson(`${direct[i % 3]}/api/auth/login`, origin, { email, password: 'not the password' });
      statuses.push(reply.status);
    }
    assert.deepEqual(statuses, [...Array(LOGIN_MAX_FAILURES).fill(401), ...Array(4).fill(429)]);
  });

  test('through nginx the recorded client IP is the client; a forged X-Forwarded-For sent to an instance directly is not believed', async () => {
    const viaNginx = await signIn('bob@example.com', cluster.url, '127.0.0.3', { 'x-forwarded-for': '203.0.113.9' });
    const bypassing = await signIn('bob@example.com', direct[0], '127.0.0.1', { 'x-forwarded-for': '203.0.113.9' });
    const recorded = async (sessionId: string) =>
      (await db().session.findUniqueOrThrow({ where: { id: sessionId }, select: { ipAddress: true } })).ipAddress;
    assert.equal(await recorded(viaNginx.sessionId), '127.0.0.3', 'nginx sets X-Forwarded-For to the address it saw');
    assert.equal(await recorded(bypassing.sessionId), '127.0.0.1', 'the socket address, not the forged header');
  });

  test('a killed instance is taken out by the health check, requests through nginx keep succeeding, and it comes back', async (t) => {
    const victim = cluster.instances[1]!;
    const probe = async (tag: string) => {
      const replies = await Promise.all(Array.from({ length: 9 }, (_, i) => send(`${cluster.url}/api/health?probe=${tag}-${i}`)));
      // nginx writes a request's log line after sending its answer: wait for all nine.
      let upstreams: string[] = [];
      for (let waited = 0; waited <= 2_000 && upstreams.length < replies.length; waited += 50) {
        upstreams = readFileSync(cluster.accessLog, 'utf8')
          .split('\n')
          .filter((line) => line.includes(`probe=${tag}-`))
          .map((line) => line.slice(0, line.indexOf(' 200 "') >>> 0));
        if (upstreams.length < replies.length) await sleep(50);
      }
      return { statuses: replies.map((r) => r.status), upstreams };
    };

    await victim.kill();
    const killedAt = performance.now();
    const during = await probe('during');
    assert.deepEqual(during.statuses, Array(9).fill(200), 'nginx passes idempotent requests to the other instances');

    await cluster.waitForService(victim, false, 5_000);
    t.diagnostic(`taken out of nginx's upstream ${Math.round(performance.now() - killedAt)} ms after the kill`);
    const out = await probe('out');
    assert.deepEqual(out.statuses, Array(9).fill(200));
    assert.equal(out.upstreams.length, 9);
    assert.ok(
      out.upstreams.every((upstream) => !upstream.includes(`:${victim.port}`) && !upstream.includes(',')),
      `no request tried the dead instance: ${out.upstreams.join(' | ')}`,
    );

    await victim.start();
    const restartedAt = performance.now();
    await cluster.waitForService(victim, true, 10_000);
    t.diagnostic(`back in the upstream ${Math.round(performance.now() - restartedAt)} ms after it served again`);
    // nginx's old worker may still answer a connection opened before the reload, with the old upstream
    // list: probe until a new worker's round robin reaches the instance, within a deadline.
    let back = await probe('back-0');
    for (let round = 1; !back.upstreams.includes(`127.0.0.1:${victim.port}`) && round < 10; round++) {
      assert.deepEqual(back.statuses, Array(9).fill(200));
      await sleep(200);
      back = await probe(`back-${round}`);
    }
    assert.deepEqual(back.statuses, Array(9).fill(200));
    assert.ok(back.upstreams.includes(`127.0.0.1:${victim.port}`), `the instance serves again: ${back.upstreams.join(' | ')}`);
  });
});
