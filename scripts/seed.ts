/** `npm run db:seed`: adds the demo users if they are missing. */
import nextEnv from '@next/env';
import { db } from '../lib/db/client';
import { seedDemoUsers } from './lib/seed';

nextEnv.loadEnvConfig(process.cwd());
const created = await seedDemoUsers();
console.log(created.length ? `Seeded demo users: ${created.join(', ')}` : 'Demo users already present.');
await db().$disconnect();
