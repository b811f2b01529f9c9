// The bare app (scripts/bench/bare-app.ts builds it in a temporary folder): Next.js's defaults. Only
// Turbopack's root is said: the folder holding both this app and the packages its node_modules link to.
import { realpathSync } from 'node:fs';
import path from 'node:path';

const here = import.meta.dirname.split(path.sep);
const packages = realpathSync(path.join(import.meta.dirname, 'node_modules')).split(path.sep);
let shared = 0;
while (shared < here.length && here[shared] === packages[shared]) shared++;

/** @type {import('next').NextConfig} */
export default {
  turbopack: { root: here.slice(0, shared).join(path.sep) || path.sep },
};
