import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HeartbeatRequest } from '@meterit/shared';
import type { ManualClock, RunningClientApi } from '../src/index.js';
import { SitesService } from '../src/components/sites/sites-service.js';
import { createSite, startClockedApi } from './helpers.js';
import { heartbeatOf } from './helpers/site-api.js';

// The meter-unreachable rule when readings reach the client system only with the agent's next upload: with the
// defaults (upload every 5 min, threshold 5 min) a meter's newest reading here is routinely older than the threshold
// while the meter answers every poll. Found by alerts-live.test.ts (false meter alerts after an agent restart).
const MIN = 60_000;
let api: RunningClientApi;
let clock: ManualClock;

beforeAll(async () => {
  ({ api, clock } = await startClockedApi({ emailTo: ['ops@example.test'] }));
});
afterAll(async () => {
  await api?.close(1000);
});

const site = (name: string) => createSite(api, name);

async function meter(siteId: number, externalId: string): Promise<number> {
  const { rows } = await api.db.knex.raw<{ rows: { id: number }[] }>(
    `INSERT INTO meters (site_id, external_id, name, bacnet_device_id, bacnet_ip, data_points, created_at) VALUES (?, ?, ?, 1, '127.0.0.1', '[]'::jsonb, ?) RETURNING id`,
    [siteId, externalId, `Meter ${externalId}`, new Date(clock.now().getTime() - 60 * MIN)],
  );
  return (rows[0] as { id: number }).id;
}

/** An upload: one reading a minute per meter from `from` to `to` (inclusive). */
async function upload(siteId: number, meterId: number, from: Date, to: Date) {
  for (let t = from.getTime(); t <= to.getTime(); t += MIN) {
    await api.db.knex.raw(
      `INSERT INTO meter_readings (site_id, meter_id, data_point, ts, value, unit, quality) VALUES (?, ?, 'current_kw', ?, 10, 'kW', 'good') ON CONFLICT DO NOTHING`,
      [siteId, meterId, new Date(t)],
    );
  }
}

async function heartbeat(
  s: { id: number; name: string },
  meters: HeartbeatRequest['meters'],
  queue: { depth: number; oldest: Date | null; lastSync?: Date },
) {
  const body = heartbeatOf({
    agent_time: clock.now().toISOString(),
    queue_depth: queue.depth,
    oldest_unsent_at: queue.oldest?.toISOString() ?? null,
    last_sync_at: queue.lastSync?.toISOString() ?? null,
    meters,
  });
  await new SitesService(api.db.knex).recordHeartbeat(s, body, clock.now());
}

async function meterAlerts(siteId: number) {
  const { rows } = await api.db.knex.raw<{ rows: { meter_id: number; state: string }[] }>(
    `SELECT a.meter_id, a.state FROM alerts a JOIN alert_rules r ON r.id = a.rule_id WHERE r.kind = 'meter_unreachable' AND a.site_id = ? ORDER BY a.id`,
    [siteId],
  );
  return rows;
}

const at = (ms: number) => new Date(ms);

describe('meter alerts and upload lag', () => {
  it('when every meter answers but its readings wait on the site longer than the threshold for the next upload, then no meter is blamed (even if the agent does not say when it last uploaded)', async () => {
    const s = await site('Lagging site');
    const m1 = await meter(s.id, 'm1');
    const m2 = await meter(s.id, 'm2');
    const t0 = clock.now().getTime();
    for (const m of [m1, m2]) await upload(s.id, m, at(t0 - 5 * MIN), at(t0));
    // 5 min 50 s after that upload: the next one is due; 5 readings per meter wait on the site, the oldest 4 min 50 s old.
    clock.set(t0 + 5 * MIN + 50_000);
    await heartbeat(s, { configured: 2, ok: 2, failing: 0, never_answered: 0 }, { depth: 10, oldest: at(t0 + MIN) });
    await api.alerts.engine.tick();
    expect(await meterAlerts(s.id)).toEqual([]);
  });

  it('when one of two meters stops answering, then only that meter is blamed, not the one whose readings are still on their way', async () => {
    const s = await site('One failing site');
    const healthy = await meter(s.id, 'ok');
    const failing = await meter(s.id, 'bad');
    const t0 = clock.now().getTime();
    await upload(s.id, healthy, at(t0 - 5 * MIN), at(t0));
    await upload(s.id, failing, at(t0 - 5 * MIN), at(t0 - 2 * MIN));
    // The upload 50 s ago carried the healthy meter's readings up to then, and nothing of the failing one since t0 - 2 min.
    await upload(s.id, healthy, at(t0 + MIN), at(t0 + 5 * MIN));
    clock.set(t0 + 5 * MIN + 50_000);
    await heartbeat(
      s,
      { configured: 2, ok: 1, failing: 1, never_answered: 0 },
      { depth: 2, oldest: at(t0 + 5 * MIN + 30_000), lastSync: at(t0 + 5 * MIN) },
    );
    await api.alerts.engine.tick();
    expect(await meterAlerts(s.id)).toEqual([{ meter_id: failing, state: 'firing' }]);

    // It answers again: the agent says so before its readings arrive, and that resolves it.
    clock.advance(MIN);
    await heartbeat(
      s,
      { configured: 2, ok: 2, failing: 0, never_answered: 0 },
      { depth: 12, oldest: at(t0 + 5 * MIN + 30_000), lastSync: at(t0 + 5 * MIN) },
    );
    await api.alerts.engine.tick();
    expect(await meterAlerts(s.id)).toEqual([{ meter_id: failing, state: 'resolved' }]);
  });

  it('when a restarted agent still reports a meter failing from before its restart, then no meter is blamed for readings its last upload could not carry', async () => {
    const s = await site('Restarted site');
    const m1 = await meter(s.id, 'r1');
    const m2 = await meter(s.id, 'r2');
    const t0 = clock.now().getTime();
    await upload(s.id, m1, at(t0 - 3 * MIN), at(t0));
    await upload(s.id, m2, at(t0 - 3 * MIN), at(t0 - MIN));
    await heartbeat(
      s,
      { configured: 2, ok: 2, failing: 0, never_answered: 0 },
      { depth: 0, oldest: null, lastSync: at(t0) },
    );
    await api.alerts.engine.tick();
    // Down for 7 minutes (the site was offline, so its meters were not judged); the first heartbeat after the restart
    // still carries the failure of a poll cut short by the shutdown, and its last upload is the one before it.
    clock.set(t0 + 7 * MIN);
    await heartbeat(
      s,
      { configured: 2, ok: 1, failing: 1, never_answered: 0 },
      { depth: 4, oldest: at(t0 + 7 * MIN - 2000), lastSync: at(t0) },
    );
    await api.alerts.engine.tick();
    expect(await meterAlerts(s.id)).toEqual([]);
  });
});
