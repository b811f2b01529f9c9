import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConfig } from '../../lib/config/config';
import { recentAuthenticationRule } from '../../lib/sensitive-actions/step-up-policy';
import { describeTier, isBound } from '../../lib/session/binding-tier';

const now = new Date('2026-12-07T12:00:00Z');
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);
/** The rule for a request that proved the session's page key, unless `keyShown` says otherwise. */
const rule = (bindingKind: string | null, policy: 'step-up' | 'allow', secondsAgo: number, keyShown = true) =>
  recentAuthenticationRule({ bindingKind, keyShown, policy, authenticatedAt: ago(secondsAgo), now, reauthMaxAgeSeconds: 600 });

describe('the step-up rule for actions that need recent authentication', () => {
  test('step-up: an unbound session must type the password with the action, however recent the last entry', () => {
    for (const secondsAgo of [0, 1, 600, 601, 86_400]) assert.equal(rule('none', 'step-up', secondsAgo), 'password_with_action', `${secondsAgo} s`);
  });

  test('step-up: an unknown or missing binding is treated as unbound, never as bound', () => {
    for (const kind of [null, '', 'DBSC', 'key-proof', 'bound', ' dbsc']) assert.equal(rule(kind, 'step-up', 1), 'password_with_action', String(kind));
  });

  test('a bound session keeps the REAUTH_MAX_AGE_SECONDS window: fresh up to 600 s, then step-up', () => {
    for (const kind of ['dbsc', 'key_proof']) {
      assert.equal(rule(kind, 'step-up', 0), 'fresh', kind);
      assert.equal(rule(kind, 'step-up', 600), 'fresh', kind);
      assert.equal(rule(kind, 'step-up', 601), 'reauth_required', kind);
    }
  });

  test('step-up: a bound session whose request shows no page key (a copied access token) types the password with the action', () => {
    for (const kind of ['dbsc', 'key_proof']) {
      for (const secondsAgo of [0, 1, 600, 601]) assert.equal(rule(kind, 'step-up', secondsAgo, false), 'password_with_action', `${kind} ${secondsAgo} s`);
    }
  });

  test('allow: an unbound session gets the same window as a bound one (today’s rule), never less', () => {
    assert.equal(rule('none', 'allow', 1), 'fresh');
    assert.equal(rule('none', 'allow', 600), 'fresh');
    assert.equal(rule('none', 'allow', 601), 'reauth_required');
    assert.equal(rule('anything', 'allow', 601), 'reauth_required');
    assert.equal(rule('key_proof', 'allow', 1, false), 'fresh', 'the key is not asked for under allow');
  });

  test('UNBOUND_SESSION_POLICY defaults to step-up (also when empty) and accepts only step-up or allow', () => {
    const keys = `k1:${Buffer.alloc(32, 7).toString('base64url')}`;
    assert.equal(parseConfig({ ACCESS_TOKEN_KEYS: keys }).UNBOUND_SESSION_POLICY, 'step-up');
    assert.equal(parseConfig({ ACCESS_TOKEN_KEYS: keys, UNBOUND_SESSION_POLICY: '' }).UNBOUND_SESSION_POLICY, 'step-up');
    assert.equal(parseConfig({ ACCESS_TOKEN_KEYS: keys, UNBOUND_SESSION_POLICY: 'allow' }).UNBOUND_SESSION_POLICY, 'allow');
    for (const value of ['off', 'ALLOW', 'none', 'step_up']) {
      assert.throws(() => parseConfig({ ACCESS_TOKEN_KEYS: keys, UNBOUND_SESSION_POLICY: value }), /UNBOUND_SESSION_POLICY/, value);
    }
  });
});

describe('a session tier in words', () => {
  test('each known tier has its own label and says whether it is bound', () => {
    assert.deepEqual(
      (['dbsc', 'key_proof', 'none'] as const).map((kind) => [describeTier(kind, true).tier, describeTier(kind, true).bound]),
      [['dbsc', true], ['key_proof', true], ['none', false]],
    );
    assert.match(describeTier('dbsc', true).label, /^Bound to this browser by the browser itself \(Device Bound Session Credentials\)$/);
    assert.equal(describeTier('key_proof', true).label, 'Bound to a key in this browser');
    assert.equal(describeTier('none', true).label, 'Not bound to this browser');
  });

  test('an unknown value is never shown or treated as bound', () => {
    for (const kind of ['', 'DBSC', 'hardware', null, undefined]) {
      const tier = describeTier(kind, true);
      assert.equal(tier.bound, false, String(kind));
      assert.equal(isBound(kind), false, String(kind));
      assert.match(tier.label, /^Not bound to this browser/, String(kind));
    }
  });

  test('an unbound session is told that it asks for the password each time only when the policy does', () => {
    assert.match(describeTier('none', true).meaning, /ask for your password every time/);
    assert.doesNotMatch(describeTier('none', false).meaning, /password/);
    assert.doesNotMatch(describeTier('key_proof', true).meaning, /password/);
  });
});
