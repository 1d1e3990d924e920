import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningClientApi } from '../src/index.js';
import { SitesService } from '../src/components/sites/sites-service.js';
import { createSite, startTestApi, type TestSite } from './helpers.js';
import { heartbeatOf } from './helpers/site-api.js';

// GET /metrics named every site without a login. Now its series carry site ids only, and with METRICS_TOKEN
// (required in production) a scrape must send it as a bearer token.
const TOKEN = 'scrape-token-Qm4x9Lw2Zr7pVb1t';
const heartbeat = heartbeatOf({ last_sync_at: null, meters: { configured: 0, ok: 0, failing: 0, never_answered: 0 } });

async function scrape(api: RunningClientApi, authorization?: string) {
  const res = await fetch(`${api.url}/metrics`, { headers: authorization ? { authorization } : {} });
  return { status: res.status, text: await res.text(), auth: res.headers.get('www-authenticate') };
}

describe('when /metrics is protected by METRICS_TOKEN', () => {
  let api: RunningClientApi;
  let site: TestSite;
  beforeAll(async () => {
    api = await startTestApi({ metricsToken: TOKEN });
    site = await createSite(api, 'Confidential Plant Mulhouse');
    await new SitesService(api.db.knex).recordHeartbeat({ id: site.id, name: site.name }, heartbeat, new Date());
  });
  afterAll(async () => {
    await api?.close(1000);
  });

  it('then a scrape without the token, with a wrong one or as Basic auth gets 401 and no figures', async () => {
    for (const authorization of [
      undefined,
      'Bearer wrong-token-0123456789',
      `Bearer ${TOKEN}x`,
      `Basic ${Buffer.from(`prometheus:${TOKEN}`).toString('base64')}`,
    ]) {
      const r = await scrape(api, authorization);
      expect(r.status, String(authorization)).toBe(401);
      expect(r.auth).toMatch(/^Bearer/);
      expect(JSON.parse(r.text).error.message).toMatch(/METRICS_TOKEN/);
      expect(r.text).not.toContain('meterit_');
      expect(r.text).not.toContain(site.name);
    }
  });

  it("then a scrape with the token gets the figures, each site's heartbeat age by site id, and no site's name", async () => {
    const r = await scrape(api, `Bearer ${TOKEN}`);
    expect(r.status).toBe(200);
    expect(r.text).toMatch(
      new RegExp(`meterit_site_heartbeat_age_seconds\\{site_id="${site.id}",service="client-api"\\} \\d+`),
    );
    expect(r.text).not.toContain(site.name);
    expect(r.text).not.toMatch(/site="/);
  });
});

describe('when no METRICS_TOKEN is set (outside production)', () => {
  let api: RunningClientApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await api?.close(1000);
  });

  it('then /metrics is open, and it still names no site', async () => {
    const site = await createSite(api, 'Another Confidential Plant');
    await new SitesService(api.db.knex).recordHeartbeat({ id: site.id, name: site.name }, heartbeat, new Date());
    const r = await scrape(api);
    expect(r.status).toBe(200);
    expect(r.text).toMatch(
      new RegExp(`meterit_site_heartbeat_age_seconds\\{site_id="${site.id}",service="client-api"\\}`),
    );
    expect(r.text).not.toContain(site.name);
  });
});
