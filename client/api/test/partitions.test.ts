// Central readings partitioned by month: the migration keeps existing rows, rows land in their month,
// ingest stays idempotent across partitions, and the retention drops only old months.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, openDatabase } from '@meterit/shared/node';
import type { SyncReading } from '@meterit/shared';
import type { RunningClientApi } from '../src/index.js';
import { migrations } from '../src/db/migrations/index.js';
import { Housekeeping } from '../src/components/housekeeping/housekeeping.js';
import { ReadingsPartitions } from '../src/components/housekeeping/readings-partitions.js';
import { purgeLogTables } from '../src/components/housekeeping/log-retention.js';
import { call, createSite, createTestDatabase, meter, startTestApi, type TestSite } from './helpers.js';

const silent = createLogger({ service: 'partitions-test', silent: true });
const LOGS = { heartbeatsDays: 30, syncBatchesDays: 90, mcpAuditDays: 365 };
const r = (timestamp: string, value = 1, data_point = 'total_kwh'): SyncReading => ({
  meter_external_id: 'm-1',
  data_point,
  timestamp,
  value,
  unit: 'kWh',
  quality: 'good',
});

async function whereIs(api: RunningClientApi, siteId: number): Promise<Record<string, string>> {
  const { rows } = await api.db.knex.raw<{ rows: { ts: Date; part: string }[] }>(
    'SELECT ts, tableoid::regclass::text AS part FROM meter_readings WHERE site_id = ? ORDER BY ts',
    [siteId],
  );
  return Object.fromEntries(rows.map((x) => [x.ts.toISOString(), x.part]));
}

describe('migration of existing readings', () => {
  let api: RunningClientApi;
  afterAll(async () => {
    await api?.close();
  });

  it('when readings exist before the migration, then every row survives with its id and lands in its month, and the keys and indexes are as before', async () => {
    const database = await createTestDatabase();
    if (database.kind !== 'connection') throw new Error('expected a connection');
    const before = migrations.findIndex((m) => m.name === '20251220000200_partition_meter_readings');
    const old = await openDatabase({ connection: database, migrations: migrations.slice(0, before), logger: silent });
    const k = old.knex;
    const [siteRow] = (
      await k.raw<{ rows: { id: number }[] }>("INSERT INTO sites (name) VALUES ('Old site') RETURNING id")
    ).rows;
    const siteId = siteRow!.id;
    const [meterRow] = (
      await k.raw<{ rows: { id: number }[] }>(
        `INSERT INTO meters (site_id, external_id, name, bacnet_device_id, bacnet_ip, bacnet_port, data_points)
         VALUES (?, 'm-1', 'Old meter', 1, '10.0.0.1', 47808, '[]'::jsonb) RETURNING id`,
        [siteId],
      )
    ).rows;
    const times = [
      '2010-01-01T00:00:00.000Z',
      '2025-05-31T23:59:59.999Z',
      '2025-06-01T00:00:00.000Z',
      '2025-07-15T12:00:00.000Z',
    ];
    for (const [i, ts] of times.entries()) {
      await k.raw(
        "INSERT INTO meter_readings (site_id, meter_id, data_point, ts, value, unit, quality) VALUES (?, ?, 'total_kwh', ?, ?, 'kWh', 'good')",
        [siteId, meterRow!.id, ts, i + 0.5],
      );
    }
    const oldRows = (
      await k.raw<{ rows: { id: string; ts: Date; value: number }[] }>(
        'SELECT id, ts, value FROM meter_readings ORDER BY ts',
      )
    ).rows;
    await old.close();

    api = await startTestApi({ database });
    const rows = (
      await api.db.knex.raw<{ rows: { id: string; ts: Date; value: number }[] }>(
        'SELECT id, ts, value FROM meter_readings ORDER BY ts',
      )
    ).rows;
    expect(rows).toEqual(oldRows);
    expect(await whereIs(api, siteId)).toEqual({
      // Ten years back at most: 2010 is older, so it waits in the DEFAULT partition.
      '2010-01-01T00:00:00.000Z': 'meter_readings_default',
      '2025-05-31T23:59:59.999Z': 'meter_readings_p2025_05',
      '2025-06-01T00:00:00.000Z': 'meter_readings_p2025_06',
      '2025-07-15T12:00:00.000Z': 'meter_readings_p2025_07',
    });

    const kind = await api.db.knex.raw<{ rows: { relkind: string }[] }>(
      "SELECT relkind FROM pg_class WHERE oid = 'meter_readings'::regclass",
    );
    expect(kind.rows[0]!.relkind).toBe('p');
    const defs = await api.db.knex.raw<{ rows: { def: string }[] }>(
      "SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'meter_readings'::regclass ORDER BY contype, conname",
    );
    expect(defs.rows.map((d) => d.def)).toEqual(
      expect.arrayContaining([
        'FOREIGN KEY (meter_id, site_id) REFERENCES meters(id, site_id)',
        'FOREIGN KEY (site_id) REFERENCES sites(id)',
        'PRIMARY KEY (site_id, meter_id, data_point, ts)',
      ]),
    );
    const idx = await api.db.knex.raw<{ rows: { indexdef: string }[] }>(
      "SELECT indexdef FROM pg_indexes WHERE tablename = 'meter_readings' ORDER BY indexname",
    );
    expect(idx.rows.map((i) => i.indexdef.replace(/^.* USING /, ''))).toEqual([
      'btree (meter_id, ts)',
      'btree (site_id, meter_id, data_point, ts)',
      'btree (site_id, ts)',
    ]);

    // New ids continue after the copied ones.
    await api.db.knex.raw(
      "INSERT INTO meter_readings (site_id, meter_id, data_point, ts, value, quality) VALUES (?, ?, 'total_kwh', '2025-06-02T00:00:00Z', 9, 'good')",
      [siteId, meterRow!.id],
    );
    const max = await api.db.knex.raw<{ rows: { id: string }[] }>(
      "SELECT id FROM meter_readings WHERE ts = '2025-06-02T00:00:00Z'",
    );
    expect(Number(max.rows[0]!.id)).toBe(Math.max(...oldRows.map((x) => Number(x.id))) + 1);
    // The composite foreign key still holds on every partition.
    await expect(
      api.db.knex.raw(
        "INSERT INTO meter_readings (site_id, meter_id, data_point, ts, value, quality) VALUES (?, 999999, 'x', '2025-06-03T00:00:00Z', 1, 'good')",
        [siteId],
      ),
    ).rejects.toThrow(/foreign key/);
  });
});

describe('housekeeping and ingest across partitions', () => {
  let api: RunningClientApi;
  let site: TestSite;
  let now = new Date('2025-05-15T10:00:00.000Z');

  beforeAll(async () => {
    api = await startTestApi({ readingsPartitionsAheadMonths: 3 });
    site = await createSite(api, 'Partitioned site');
    const reg = await call(api, 'POST', '/api/sync/meters', { key: site.key, body: { meters: [meter('m-1')] } });
    expect(reg.status).toBe(200);
  });
  afterAll(async () => {
    await api?.close();
  });

  const hk = (retentionMonths?: number) =>
    new Housekeeping({
      knex: api.db.knex,
      logger: silent,
      aheadMonths: 3,
      retentionMonths,
      logRetention: LOGS,
      now: () => now,
    });
  const send = (readings: SyncReading[]) =>
    call(api, 'POST', '/api/sync/readings/batch', { key: site.key, body: { batch_id: 'b', readings }, gzip: true });

  it('when the job runs in mid-May, then May to August exist and readings land in their month, outliers in DEFAULT', async () => {
    const done = await hk().runOnce();
    expect(done.created).toEqual([
      'meter_readings_p2025_05',
      'meter_readings_p2025_06',
      'meter_readings_p2025_07',
      'meter_readings_p2025_08',
    ]);
    expect((await hk().runOnce()).created).toEqual([]);

    const batch = [
      r('2024-01-10T00:00:00.000Z'),
      r('2025-05-31T23:59:59.000Z'),
      r('2025-06-01T00:00:00.000Z'),
      r('2025-08-31T23:00:00.000Z'),
      r('2025-10-05T00:00:00.000Z'),
    ];
    const first = await send(batch);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ stored: 5, duplicates: 0 });
    expect(await whereIs(api, site.id)).toEqual({
      '2024-01-10T00:00:00.000Z': 'meter_readings_default',
      '2025-05-31T23:59:59.000Z': 'meter_readings_p2025_05',
      '2025-06-01T00:00:00.000Z': 'meter_readings_p2025_06',
      '2025-08-31T23:00:00.000Z': 'meter_readings_p2025_08',
      '2025-10-05T00:00:00.000Z': 'meter_readings_default',
    });

    // The agent resends after a lost answer: nothing changes, in any partition.
    const again = await send([...batch, r('2025-07-01T00:00:00.000Z')]);
    expect(again.json).toMatchObject({ stored: 1, duplicates: 5 });
    expect(again.json.results).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate', 'duplicate', 'stored']);
  });

  it('when the months move on, then the next partitions are created and their rows move out of DEFAULT, still idempotent', async () => {
    now = new Date('2025-09-20T00:00:00.000Z');
    const done = await hk().runOnce();
    expect(done.created).toEqual([
      'meter_readings_p2025_09',
      'meter_readings_p2025_10',
      'meter_readings_p2025_11',
      'meter_readings_p2025_12',
    ]);
    expect(done.movedFromDefault).toBe(1);
    expect((await whereIs(api, site.id))['2025-10-05T00:00:00.000Z']).toBe('meter_readings_p2025_10');
    const again = await send([r('2025-10-05T00:00:00.000Z', 42)]);
    expect(again.json).toMatchObject({ stored: 0, duplicates: 1 });
    const v = await api.db.knex.raw<{ rows: { value: number }[] }>(
      "SELECT value FROM meter_readings WHERE ts = '2025-10-05T00:00:00Z'",
    );
    expect(v.rows[0]!.value).toBe(1);
  });

  it('when a retention of 3 months is set, then only partitions wholly older than that are dropped, and older DEFAULT rows deleted', async () => {
    const names = async () => (await new ReadingsPartitions(api.db.knex).list()).map((p) => p.name);
    expect(await names()).toContain('meter_readings_p2025_05');
    const done = await hk(3).runOnce();
    // 2025-09-20 minus 3 months → cut at 2025-06-01: May goes, June stays.
    expect(done.dropped).toEqual(['meter_readings_p2025_05']);
    expect(done.deletedFromDefault).toBe(1);
    const left = await names();
    expect(left).not.toContain('meter_readings_p2025_05');
    expect(left).toEqual(
      expect.arrayContaining([
        'meter_readings_p2025_06',
        'meter_readings_p2025_07',
        'meter_readings_p2025_12',
        'meter_readings_default',
      ]),
    );
    expect(Object.keys(await whereIs(api, site.id))).toEqual([
      '2025-06-01T00:00:00.000Z',
      '2025-07-01T00:00:00.000Z',
      '2025-08-31T23:00:00.000Z',
      '2025-10-05T00:00:00.000Z',
    ]);
    expect((await hk(3).runOnce()).dropped).toEqual([]);
  });

  it('when the retention is off (the default), then nothing is dropped however old', async () => {
    now = new Date('2030-01-01T00:00:00.000Z');
    const done = await hk().runOnce();
    expect(done.dropped).toEqual([]);
    expect(Object.keys(await whereIs(api, site.id))).toHaveLength(4);
    expect(api.config.readingsRetentionMonths).toBeUndefined();
  });
});

describe('log tables retention', () => {
  let api: RunningClientApi;
  let site: TestSite;
  const now = new Date('2026-03-01T00:00:00.000Z');
  const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);

  beforeAll(async () => {
    api = await startTestApi({});
    site = await createSite(api, 'Chatty site');
  });
  afterAll(async () => {
    await api?.close();
  });

  async function seed(): Promise<void> {
    const k = api.db.knex;
    for (const d of [31, 29.9])
      await k.raw("INSERT INTO heartbeats (site_id, received_at, payload) VALUES (?, ?, '{}'::jsonb)", [
        site.id,
        daysAgo(d),
      ]);
    for (const d of [91, 89])
      await k.raw(
        'INSERT INTO sync_batches (site_id, received_at, readings, stored, duplicates, rejected) VALUES (?, ?, 1, 1, 0, 0)',
        [site.id, daysAgo(d)],
      );
    for (const d of [366, 364]) {
      await k.raw(
        `INSERT INTO mcp_audit (called_at, user_email, role, principal, via, tool, arguments, duration_ms, outcome, success)
         VALUES (?, 'ai@example.test', 'viewer', 'token:1', 'http', 'query_meters', '{}'::jsonb, 5, 'ok', true)`,
        [daysAgo(d)],
      );
    }
    const [user] = (
      await k.raw<{ rows: { id: number }[] }>(
        "INSERT INTO users (email, name, password_hash, role, site_restricted) VALUES (?, 'Old login', 'x', 'viewer', false) RETURNING id",
        [`old-${Date.now()}@example.test`],
      )
    ).rows;
    for (const d of [8, 6])
      await k.raw(
        'INSERT INTO refresh_tokens (user_id, family, token_hash, expires_at) VALUES (?, gen_random_uuid(), ?, ?)',
        [user!.id, Buffer.from(`${d}-${Math.random()}`), daysAgo(d)],
      );
  }

  const ages = async (table: string, column: string) =>
    (
      await api.db.knex.raw<{ rows: { days: number }[] }>(
        `SELECT round(extract(epoch FROM (?::timestamptz - ${column})) / 86400, 1)::float AS days FROM ${table} ORDER BY 1`,
        [now],
      )
    ).rows.map((r) => r.days);

  it('when the job runs, then heartbeats, upload records, MCP audit entries and expired refresh tokens past their days go, and the rest stays', async () => {
    await seed();
    // A site silent for months keeps its last heartbeat: its status and the heartbeat-missing alert read it.
    const silentSite = await createSite(api, 'Silent site');
    await api.db.knex.raw(
      "INSERT INTO heartbeats (site_id, received_at, payload) VALUES (?, ?, '{}'::jsonb), (?, ?, '{}'::jsonb)",
      [silentSite.id, daysAgo(120), silentSite.id, daysAgo(100)],
    );
    const done = await new Housekeeping({
      knex: api.db.knex,
      logger: silent,
      aheadMonths: 1,
      retentionMonths: undefined,
      logRetention: LOGS,
      now: () => now,
    }).runOnce();
    expect(done.purged).toEqual({ heartbeats: 2, sync_batches: 1, mcp_audit: 1, refresh_tokens: 1 });
    expect(await ages('heartbeats', 'received_at')).toEqual([29.9, 100]);
    expect(await ages('sync_batches', 'received_at')).toEqual([89]);
    expect(await ages('mcp_audit', 'called_at')).toEqual([364]);
    expect(await ages('refresh_tokens', 'expires_at')).toEqual([6]);
  });

  it('when a table holds more old rows than one chunk, then every old row goes, a chunk at a time', async () => {
    const k = api.db.knex;
    await k.raw(
      "INSERT INTO heartbeats (site_id, received_at, payload) SELECT ?, ?::timestamptz - g * interval '1 minute', '{}'::jsonb FROM generate_series(1, 25) g",
      [site.id, daysAgo(40)],
    );
    const purged = await purgeLogTables(k, LOGS, now, 4);
    expect(purged).toEqual({ heartbeats: 25 });
    expect(await ages('heartbeats', 'received_at')).toEqual([29.9, 100]);
  });
});
