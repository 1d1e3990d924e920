import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatSecurityReport, runSecurity, type Finding, type SecurityReport } from '../src/security/run.js';
import { startSecurityTarget, type SecurityTarget } from '../src/security/setup.js';

const describeFinding = (f: Finding) => `${f.endpoint} — ${f.case}: ${f.problem} [${f.status}] ${f.body.slice(0, 120)}`;

let target: SecurityTarget;
let report: SecurityReport;

beforeAll(async () => {
  target = await startSecurityTarget();
  report = await runSecurity({ base: target.client.url, db: target.client.db, ctx: target.ctx, creds: target.creds, alive: target.alive });
  process.stdout.write(`${formatSecurityReport(report)}\n`);
}, 300_000);

afterAll(async () => {
  await target?.close();
});

describe('bad input against every endpoint of the client API', () => {
  it('when hostile requests hit every endpoint, then the sync endpoints and health checks were all attacked', () => {
    const present = report.endpoints.filter((e) => e.present).map((e) => e.endpoint);
    expect(present).toEqual(
      expect.arrayContaining(['GET /health', 'GET /ready', 'POST /api/sync/readings/batch', 'GET /api/sync/config', 'POST /api/sync/meters', 'POST /api/sync/heartbeat', 'POST /api/sync/auth']),
    );
    expect(report.requests).toBeGreaterThan(300);
  });

  it('then no request got a 5xx or no answer, every rejection has a clear message, nothing was stored partially, no other site data leaked, and the server kept serving', () => {
    expect(report.findings.map(describeFinding)).toEqual([]);
    expect(target.alive()).toBe(true);
  });
});
