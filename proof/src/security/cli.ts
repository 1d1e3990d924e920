import { formatSecurityReport, runSecurity } from './run.js';
import { startSecurityTarget } from './setup.js';

// node dist/security/cli.js — the bad-input suite outside vitest, printing progress as it goes.
const target = await startSecurityTarget();
let clean = false;
try {
  const report = await runSecurity({
    base: target.client.url,
    db: target.client.db,
    ctx: target.ctx,
    creds: target.creds,
    alive: target.alive,
    log: (l) => process.stderr.write(`${new Date().toISOString()} ${l}\n`),
  });
  process.stdout.write(`${formatSecurityReport(report, process.argv.includes('--all') ? Infinity : 40)}\n`);
  clean = report.findings.length === 0;
} finally {
  await target.close();
}
process.exit(clean ? 0 : 1);
