#!/usr/bin/env node
// Ingest benchmark: readings per second stored through the real upload path (HTTP, gzip, API key,
// validation, idempotent insert, commit before answer) against a baseline measured in the same run:
// the same rows written straight into the same table with a bulk
// `INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING`, same batch size, same indexes.
//   node scripts/bench/ingest.mjs [batches=40] [batchSize=1000]
// Needs `pnpm build` first.
import { gzipSync } from 'node:zlib';
import { startClientApi, SitesService } from '../../client/api/dist/index.js';
import { startTestPostgres, createTestDatabase } from '../../shared/dist/node/testing.js';
import { createLogger } from '../../shared/dist/node/index.js';

const batches = Number(process.argv[2] ?? 40);
const batchSize = Number(process.argv[3] ?? 1000);
const METERS = 25;
const POINTS = ['total_kwh', 'current_kw', 'voltage', 'current'];

const pg = await startTestPostgres();
const url = await createTestDatabase(pg, 'bench_ingest');
const api = await startClientApi(
  { port: 0, host: '127.0.0.1', database: { kind: 'url', url }, logLevel: 'error', syncRateLimitPerMinute: 1_000_000 },
  { logger: createLogger({ service: 'bench', level: 'error' }) },
);
const knex = api.db.knex;
const site = await new SitesService(knex).createSiteWithKey('Bench site');
const meters = Array.from({ length: METERS }, (_, i) => ({
  id: `bench-${i}`,
  name: `Bench meter ${i}`,
  bacnet_device_id: 9000 + i,
  bacnet_ip: '127.0.0.1',
  data_points: POINTS.map((name, instance) => ({ object_type: 'analogInput', instance, property: 'presentValue', name })),
}));
const headers = { 'x-api-key': site.api_key, 'content-type': 'application/json' };
const reg = await fetch(`${api.url}/api/sync/meters`, { method: 'POST', headers, body: JSON.stringify({ meters }) });
if (!reg.ok) throw new Error(`register meters: ${reg.status} ${await reg.text()}`);

/** Batch k: a tick per meter and point, one second apart, so every reading is new. */
function batch(k, t0) {
  const readings = [];
  for (let i = 0; readings.length < batchSize; i++) {
    const tick = Math.floor(i / (METERS * POINTS.length));
    const m = Math.floor(i / POINTS.length) % METERS;
    const p = POINTS[i % POINTS.length];
    readings.push({
      meter_external_id: `bench-${m}`,
      data_point: p,
      timestamp: new Date(t0 + (k * 1000 + tick) * 1000).toISOString(),
      value: Math.fround(1000 + i * 0.37),
      unit: 'kWh',
      quality: 'good',
    });
  }
  return readings;
}

async function measure(name, fn) {
  await fn(-1); // warm-up batch, not counted
  const started = process.hrtime.bigint();
  for (let k = 0; k < batches; k++) await fn(k);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rate = (batches * batchSize) / seconds;
  return { name, seconds, rate };
}

const meterIds = new Map((await knex('meters').where({ site_id: site.site_id }).select('id', 'external_id')).map((r) => [r.external_id, r.id]));

const conn = await knex.client.acquireConnection();
const baseline = await measure('baseline: unnest bulk insert, same table', async (k) => {
  const rows = batch(k + 10_000, Date.UTC(2020, 0, 1));
  await conn.query(
    `INSERT INTO meter_readings (site_id, meter_id, data_point, ts, value, unit, quality)
     SELECT $1, * FROM unnest($2::int[], $3::text[], $4::timestamptz[], $5::float8[], $6::text[], $7::text[])
     ON CONFLICT DO NOTHING`,
    [site.site_id, rows.map((r) => meterIds.get(r.meter_external_id)), rows.map((r) => r.data_point), rows.map((r) => r.timestamp), rows.map((r) => r.value), rows.map((r) => r.unit), rows.map((r) => r.quality)],
  );
});
await knex.client.releaseConnection(conn);
await knex.raw('TRUNCATE meter_readings');

const viaApi = await measure('API: POST /api/sync/readings/batch (gzip)', async (k) => {
  const body = gzipSync(JSON.stringify({ batch_id: `b${k}`, readings: batch(k + 10_000, Date.UTC(2020, 0, 1)) }));
  const res = await fetch(`${api.url}/api/sync/readings/batch`, { method: 'POST', headers: { ...headers, 'content-encoding': 'gzip' }, body });
  const out = await res.json();
  if (!res.ok || out.stored !== batchSize) throw new Error(`batch ${k}: ${res.status} ${JSON.stringify(out).slice(0, 300)}`);
});

const stored = Number((await knex('meter_readings').count('* as n'))[0].n);
process.stdout.write(
  [
    `ingest benchmark: ${batches} batches × ${batchSize} readings (+1 warm-up each), ${METERS} meters × ${POINTS.length} points`,
    `  ${baseline.name.padEnd(45)} ${baseline.rate.toFixed(0).padStart(8)} readings/s`,
    `  ${viaApi.name.padEnd(45)} ${viaApi.rate.toFixed(0).padStart(8)} readings/s`,
    `  ratio API / baseline: ${(viaApi.rate / baseline.rate).toFixed(2)}   (stored via API: ${stored})`,
    '',
  ].join('\n'),
);
await api.close();
await pg.stop();
