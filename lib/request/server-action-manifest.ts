/**
 * Reads the build's server-action manifest at start-up and registers, for the proxy, which page may
 * call which action (why: docs/decisions/0045-proxy-checks-page-posts.md). `next dev` rebuilds as it
 * goes, so nothing is registered there; a missing or unreadable manifest registers nothing either, and
 * the proxy then checks only that an action's body decodes.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { actionsByPageFromManifest, registerServerActions } from './server-actions';

export function registerBuiltServerActions(distDir = path.join(process.cwd(), '.next')): void {
  if (process.env.NODE_ENV !== 'production' || process.env.NEXT_PHASE === 'phase-production-build') return;
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(path.join(distDir, 'server', 'server-reference-manifest.json'), 'utf8'));
  } catch {
    return;
  }
  registerServerActions(actionsByPageFromManifest(manifest));
}
