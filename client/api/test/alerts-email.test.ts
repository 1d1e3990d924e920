import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMailReceiver, type MailReceiver } from '@meterit/shared/testing';
import type { ManualClock, RunningClientApi } from '../src/index.js';
import { SitesService } from '../src/components/sites/sites-service.js';
import { startClockedApi } from './helpers.js';
import { heartbeatOf } from './helpers/site-api.js';
import { as, createUser } from './operator-helpers.js';

// E-mail through a real SMTP server started here (startMailReceiver: smtp-server on loopback), and a webhook to a loopback HTTP server.
const MIN = 60_000;
const hb = (at: Date) =>
  heartbeatOf({
    agent_version: 't',
    agent_time: at.toISOString(),
    last_sync_at: null,
    meters: { configured: 0, ok: 0, failing: 0, never_answered: 0 },
  });

describe('e-mail and webhook notifications', () => {
  let smtp: MailReceiver;
  let hook: Server;
  const hooks: unknown[] = [];
  let api: RunningClientApi;
  let clock: ManualClock;

  beforeAll(async () => {
    smtp = await startMailReceiver();
    hook = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        hooks.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    ({ api, clock } = await startClockedApi({
      smtpUrl: smtp.url,
      emailFrom: 'MeterIT <alerts@meterit.test>',
      emailTo: ['ops@example.test', 'oncall@example.test'],
      publicUrl: 'https://meterit.example.com',
    }));
  });
  afterAll(async () => {
    await api?.close(1000);
    await smtp?.close();
    await new Promise((r) => hook?.close(r));
  });

  it('when a site goes dark and comes back, then one e-mail per event reaches the default recipients with what, where, since when, the value and a link', async () => {
    const site = await new SitesService(api.db.knex).createSiteWithKey('Plant North');
    await new SitesService(api.db.knex).recordHeartbeat(
      { id: site.site_id, name: site.site_name },
      hb(clock.now()),
      clock.now(),
    );
    const lastHb = clock.now();
    clock.advance(12 * MIN);
    await api.alerts.engine.tick();
    await api.alerts.engine.tick();
    expect(smtp.mails).toHaveLength(1);
    const fire = smtp.mails[0]!;
    expect(fire.to).toEqual(['ops@example.test', 'oncall@example.test']);
    expect(fire.from).toBe('alerts@meterit.test');
    expect(fire.subject).toBe('[MeterIT] FIRING: Site "Plant North" offline — no heartbeat for 12 min');
    const body = fire.text;
    expect(body).toContain('Where:      site "Plant North"');
    expect(body).toContain(`Since:      ${lastHb.toISOString()} (12 min ago)`);
    expect(body).toContain('Value now:  12 min');
    expect(body).toContain('Threshold:  10 min');
    expect(body).toMatch(/Open in MeterIT: https:\/\/meterit\.example\.com\/alerts\/\d+/);

    await new SitesService(api.db.knex).recordHeartbeat(
      { id: site.site_id, name: site.site_name },
      hb(clock.now()),
      clock.now(),
    );
    await api.alerts.engine.tick();
    await api.alerts.engine.tick();
    expect(smtp.mails).toHaveLength(2);
    expect(smtp.mails[1]!.subject).toBe('[MeterIT] RESOLVED: Site "Plant North" offline — no heartbeat for 12 min');
    const { rows } = await api.db.knex.raw<{ rows: { status: string; attempts: number }[] }>(
      "SELECT status, attempts FROM notifications WHERE channel = 'email' ORDER BY id",
    );
    expect(rows).toEqual([
      { status: 'sent', attempts: 1 },
      { status: 'sent', attempts: 1 },
    ]);
  });

  it('when a rule names its own recipients and a webhook, then those get it, the webhook as JSON', async () => {
    const admin = await createUser(api, 'admin@example.test', 'admin');
    const site = await new SitesService(api.db.knex).createSiteWithKey('Warehouse');
    const { rows } = await api.db.knex.raw<{ rows: { id: number }[] }>(
      `INSERT INTO meters (site_id, external_id, name, bacnet_device_id, bacnet_ip, data_points) VALUES (?, 'w1', 'Warehouse main', 1, '127.0.0.1', '[]') RETURNING id`,
      [site.site_id],
    );
    const meterId = rows[0]!.id;
    const res = await as(api, admin, 'POST', '/api/alert-rules', {
      kind: 'threshold',
      name: 'Warehouse above 50 kW',
      meter_id: meterId,
      data_point: 'current_kw',
      condition: 'above',
      threshold: 50,
      recipients: ['facility@example.test'],
      webhook_url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`,
    });
    expect(res.status).toBe(201);
    await api.db.knex.raw(
      "INSERT INTO meter_readings (site_id, meter_id, data_point, ts, value, unit, quality) VALUES (?, ?, 'current_kw', ?, 75.5, 'kW', 'good')",
      [site.site_id, meterId, clock.now()],
    );
    const before = smtp.mails.length;
    await api.alerts.engine.tick();
    const mail = smtp.mails.slice(before);
    expect(mail.map((m) => m.to)).toEqual([['facility@example.test']]);
    expect(mail[0]!.text).toContain('Value now:  75.5 kW');
    expect(hooks).toHaveLength(1);
    expect(hooks[0]).toMatchObject({
      event: 'firing',
      rule: 'Warehouse above 50 kW',
      value: 75.5,
      threshold: 50,
      unit: 'kW',
      site: 'Warehouse',
      meter: 'Warehouse main',
    });
  });

  it('when an operator sends an e-mail through the service (as the MCP server does), then it is delivered and in the outbox', async () => {
    const before = smtp.mails.length;
    const n = await api.alerts.service.sendAlertEmail(
      { to: ['boss@example.test'], subject: 'Site visit tomorrow', body: 'Meter 3 will be replaced.' },
      { id: 1, email: 'admin@example.test', role: 'admin', siteIds: null },
    );
    expect(n.status).toBe('sent');
    expect(smtp.mails.length).toBe(before + 1);
    expect(smtp.mails.at(-1)!.subject).toBe('[MeterIT] Site visit tomorrow');
    await expect(
      api.alerts.service.sendAlertEmail(
        { to: ['x@example.test'], subject: 's', body: 'b' },
        { id: 2, email: 'v@example.test', role: 'viewer', siteIds: null },
      ),
    ).rejects.toThrow(/operator or admin/);
  });
});

describe('when the SMTP server refuses', () => {
  it('then the e-mail is retried with backoff, the failure and attempts are visible in the outbox, and it goes out once the server accepts', async () => {
    const smtp = await startMailReceiver({ failFirst: 2 });
    const { api, clock } = await startClockedApi({
      smtpUrl: smtp.url,
      emailTo: ['ops@example.test'],
      retryBaseSeconds: 10,
      retryCapSeconds: 60,
    });
    try {
      const admin = await createUser(api, 'admin@example.test', 'admin');
      const site = await new SitesService(api.db.knex).createSiteWithKey('Retry site');
      await new SitesService(api.db.knex).recordHeartbeat(
        { id: site.site_id, name: site.site_name },
        hb(clock.now()),
        clock.now(),
      );
      clock.advance(11 * MIN);
      await api.alerts.engine.tick();
      let outbox = await as(api, admin, 'GET', '/api/notifications');
      expect(outbox.json.notifications[0]).toMatchObject({ status: 'retrying', attempts: 1 });
      expect(outbox.json.notifications[0].last_error).toMatch(/451/);
      await api.alerts.engine.tick(); // not due yet: no second attempt
      outbox = await as(api, admin, 'GET', '/api/notifications');
      expect(outbox.json.notifications[0].attempts).toBe(1);

      clock.advance(61_000);
      await api.alerts.engine.tick();
      clock.advance(61_000);
      await api.alerts.engine.tick();
      outbox = await as(api, admin, 'GET', '/api/notifications');
      expect(outbox.json.notifications[0]).toMatchObject({ status: 'sent', attempts: 3 });
      expect(smtp.rejected()).toBe(2);
      expect(smtp.mails).toHaveLength(1);
    } finally {
      await api.close(1000);
      await smtp.close();
    }
  });
});
