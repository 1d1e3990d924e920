import { LOCAL_ENDPOINTS } from './endpoints.js';
import { formatMcpReport, runMcpSecurity } from './mcp.js';
import { formatSecurityReport, runSecurity } from './run.js';
import { clientMcpTarget, siteMcpTarget } from './mcp-targets.js';
import { SECURITY_NET, startSecurityTarget, startSiteTarget } from './setup.js';
import { alive } from '../harness/processes.js';

// node dist/security/cli.js [--all] — the bad-input suite outside vitest (client API, the agent's local API,
// both MCP servers), printing progress as it goes.
const log = (l: string) => process.stderr.write(`${new Date().toISOString()} ${l}\n`);
const limit = process.argv.includes('--all') ? Infinity : 40;
const target = await startSecurityTarget();
let findings = 0;
try {
  const api = await runSecurity({
    base: target.client.url,
    db: target.client.db,
    ctx: target.ctx,
    creds: target.creds,
    alive: target.alive,
    log,
  });
  process.stdout.write(`${formatSecurityReport(api, limit)}\n`);
  const site = await startSiteTarget(target);
  try {
    const sources = Array.from({ length: 20 }, (_, i) => `${SECURITY_NET}.${20 + i}`);
    const local = await runSecurity({
      base: site.agent.localApiUrl,
      snapshot: () => site.snapshot(),
      sources,
      ctx: site.ctx,
      creds: site.creds,
      endpoints: LOCAL_ENDPOINTS,
      alive: () => alive(site.agent.proc),
      log,
      promises: { ownHostOnly: true },
    });
    process.stdout.write(`${formatSecurityReport(local, limit)}\n`);
    const clientMcp = await runMcpSecurity(await clientMcpTarget(target), log);
    process.stdout.write(`${formatMcpReport(clientMcp, limit)}\n`);
    const siteMcp = await runMcpSecurity(siteMcpTarget(target, site), log);
    process.stdout.write(`${formatMcpReport(siteMcp, limit)}\n`);
    findings = api.findings.length + local.findings.length + clientMcp.findings.length + siteMcp.findings.length;
  } finally {
    await site.close();
  }
} finally {
  await target.close();
}
process.exit(findings === 0 ? 0 : 1);
