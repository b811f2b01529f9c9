/**
 * Gives a test server a fresh database: deletes the file named by DATABASE_URL, applies the committed
 * migrations and seeds the demo users (tests that need money borrow it from them: the `fundedAccount`
 * fixture). Only ever pointed at e2e/.tmp/.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { applyMigrations } from '../../scripts/lib/migrations';
import { seedDemoUsers } from '../../scripts/lib/seed';
import { db } from '../../lib/db/client';

const url = process.env.DATABASE_URL ?? '';
const file = url.replace(/^file:/, '');
if (!file.includes('e2e/.tmp/')) throw new Error(`Refusing to reset a database outside e2e/.tmp: ${url}`);
mkdirSync(dirname(file), { recursive: true });
for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${file}${suffix}`, { force: true });
await applyMigrations(url);
await seedDemoUsers();
await db().$disconnect();
