/**
 * `npm run db:prune`: what the server's housekeeping schedule does (lib/housekeeping.ts), once, for
 * deployments that set HOUSEKEEPING_INTERVAL_SECONDS=0 and prune from cron or a job runner instead.
 */
import nextEnv from '@next/env';
import { db } from '../lib/db/client';
import { pruneExpiredRecords } from '../lib/housekeeping';

nextEnv.loadEnvConfig(process.cwd());
const removed = await pruneExpiredRecords();
console.log(
  `Pruned ${removed.sessions} sessions, ${removed.refreshTokens} refresh tokens, ` +
    `${removed.rateLimitAttempts} rate-limit attempts, ${removed.securityEvents} security events, ` +
    `${removed.labTokenCopies} lab token copies, ${removed.bindingChallenges} device-binding challenges.`,
);
await db().$disconnect();
