#!/usr/bin/env node
// The Debian packages the test suites need (Chromium for the real-browser tests, pg_dump and
// pg_restore for the backup tests). `pnpm test` runs this first: as root it installs what is
// missing; otherwise it stops at once and names the exact command to run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const needs = [
  { pkg: 'chromium', present: () => existsSync('/usr/bin/chromium') },
  { pkg: 'postgresql-client', present: () => spawnSync('pg_dump', ['--version'], { stdio: 'ignore' }).status === 0 },
];

const missing = needs.filter((n) => !n.present()).map((n) => n.pkg);
if (missing.length === 0) process.exit(0);

const line = `apt-get update && apt-get install -y ${missing.join(' ')}`;
if (process.getuid?.() !== 0) {
  console.error(
    `The tests need Debian packages that are missing: ${missing.join(', ')}.\nInstall them as root:\n  ${line}`,
  );
  process.exit(1);
}
console.error(`Installing the Debian packages the tests need: ${missing.join(', ')}`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
try {
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env });
} catch {
  console.error(`Installing failed. Run it by hand:\n  ${line}`);
  process.exit(1);
}
const still = needs.filter((n) => !n.present()).map((n) => n.pkg);
if (still.length > 0) {
  console.error(`Still missing after the install: ${still.join(', ')}`);
  process.exit(1);
}
