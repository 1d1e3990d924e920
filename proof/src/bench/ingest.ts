import { gzipSync } from 'node:zlib';
import type { Knex } from 'knex';
import { ReadingsRepository, ROLLUP_UNITS } from '@meterit/client-api';
import { createTestDatabase, type TestPostgres } from '@meterit/shared/testing';
import { createSite, sampleRss, startClientSystem } from '../harness/processes.js';
import { cpuProfArgs, mb, rate, type BenchResult } from './common.js';

// Readings per second stored through the real upload path (HTTP, gzip, API key, validation,
// idempotent insert, commit before answer) against the same rows written straight into the same
// table with INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING, same batch size, same indexes.
const METERS = 25;
const POINTS = ['total_kwh', 'current_kw', 'voltage', 'current'];

function batch(k: number, batchSize: number, t0: number) {
  const readings = [];
  for (let i = 0; readings.length < batchSize; i++) {
    const tick = Math.floor(i / (METERS * POINTS.length));
    const m = Math.floor(i / POINTS.length) % METERS;
    readings.push({
      meter_external_id: `bench-${m}`,
      data_point: POINTS[i % POINTS.length]!,
      timestamp: new Date(t0 + (k * 1000 + tick) * 1000).toISOString(),
      value: Math.fround(1000 + i * 0.37),
      unit: 'kWh',
      quality: 'good',
    });
  }
  return readings;
}

const perK = (perSecond: number) => Number(((1000 / perSecond) * 1000).toFixed(1));

/** Readings per second over `batches` calls of `fn` (after one warm-up call, k = -1). */
export async function measure(batches: number, batchSize: number, fn: (k: number) => Promise<void>): Promise<number> {
  await fn(-1); // warm-up batch, not counted
  const started = process.hrtime.bigint();
  for (let k = 0; k < batches; k++) await fn(k);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return (batches * batchSize) / seconds;
}

/**
 * Register `meters` bench meters (bench-0 …) with the given data points (name, optional unit) through the sync
 * endpoint; returns the headers of the site's agent (key, JSON).
 */
export async function registerBenchMeters(
  apiUrl: string,
  apiKey: string,
  meters: number,
  points: readonly (string | { name: string; unit: string })[],
): Promise<Record<string, string>> {
  const body = Array.from({ length: meters }, (_, i) => ({
    id: `bench-${i}`,
    name: `Bench meter ${i}`,
    bacnet_device_id: 9000 + i,
    bacnet_ip: '127.0.0.1',
    data_points: points.map((p, instance) => ({
      object_type: 'analogInput',
      instance,
      property: 'presentValue',
      ...(typeof p === 'string' ? { name: p } : p),
    })),
  }));
  const headers = { 'x-api-key': apiKey, 'content-type': 'application/json' };
  const reg = await fetch(`${apiUrl}/api/sync/meters`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ meters: body }),
  });
  if (!reg.ok) throw new Error(`register meters: ${reg.status} ${await reg.text()}`);
  return headers;
}

export async function benchIngest(
  pg: TestPostgres,
  opts: { batches: number; batchSize: number },
): Promise<BenchResult> {
  const url = await createTestDatabase(pg, 'bench_ingest');
  const api = await startClientSystem(url, {
    env: { LOG_LEVEL: 'warn', SYNC_RATE_LIMIT_PER_MINUTE: '1000000' },
    nodeArgs: cpuProfArgs(),
  });
  try {
    const site = await createSite(url, 'Bench site');
    const headers = await registerBenchMeters(api.url, site.api_key, METERS, POINTS);
    const knex: Knex = api.db;
    const meterIds = new Map<string, number>(
      (await knex('meters').where({ site_id: site.site_id }).select('id', 'external_id')).map(
        (r: { id: number; external_id: string }) => [r.external_id, r.id],
      ),
    );
    const t0 = Date.UTC(2020, 0, 1);
    // Built before the clock starts: what is timed is storing, not generating test data.
    const rowsOf = Array.from({ length: opts.batches + 1 }, (_, i) => batch(i - 1 + 10_000, opts.batchSize, t0));
    const rowsFor = (k: number) => rowsOf[k + 1]!;
    // The agent gzips its batches; so does this client, before timing (the agent's cost is in the drain figure).
    const bodies = rowsOf.map((rows, i) => gzipSync(JSON.stringify({ batch_id: `b${i - 1}`, readings: rows })));

    const baseline = await measure(opts.batches, opts.batchSize, async (k) => {
      const rows = rowsFor(k);
      await knex.raw(
        `INSERT INTO meter_readings (site_id, meter_id, data_point, ts, value, unit, quality)
         SELECT ?, * FROM unnest(?::int[], ?::text[], ?::timestamptz[], ?::float8[], ?::text[], ?::text[])
         ON CONFLICT DO NOTHING`,
        [
          site.site_id,
          rows.map((r) => meterIds.get(r.meter_external_id)!),
          rows.map((r) => r.data_point),
          rows.map((r) => r.timestamp),
          rows.map((r) => r.value),
          rows.map((r) => r.unit),
          rows.map((r) => r.quality),
        ],
      );
    });
    await knex.raw('TRUNCATE meter_readings');

    // Where the API's time goes: the statements the API runs for one batch (transaction, meter id lookup as in
    // readings/ingest.ts, then the API's own ReadingsRepository: the insert with RETURNING that reports
    // stored/duplicate per reading — no DISTINCT ON, as no key repeats in these batches — and the batch log
    // folded with the site's last batch time), straight from Node.
    const repo = new ReadingsRepository(knex);
    const sqlOfApi = (rollupUnits: readonly string[] | null) =>
      measure(opts.batches, opts.batchSize, async (k) => {
        const rows = rowsFor(k);
        await knex.transaction(async (trx) => {
          await trx.raw('SELECT id, external_id FROM meters WHERE site_id = ? AND external_id = ANY(?::text[])', [
            site.site_id,
            [...new Set(rows.map((r) => r.meter_external_id))],
          ]);
          await repo.insertIdempotent(
            trx,
            site.site_id,
            rows.map((r) => ({
              meterId: meterIds.get(r.meter_external_id)!,
              dataPoint: r.data_point,
              timestamp: r.timestamp,
              value: r.value,
              unit: r.unit,
              quality: r.quality,
            })),
            rollupUnits,
          );
          await repo.logBatch(
            {
              siteId: site.site_id,
              batchId: `sql${k}`,
              requestId: `r${k}`,
              readings: rows.length,
              stored: rows.length,
              duplicates: 0,
              rejected: 0,
            },
            trx,
          );
        });
      });
    const apiSql = await sqlOfApi(null);
    await knex.raw('TRUNCATE meter_readings');
    // The same with the rollups' change records the API writes in the insert statement (one row per series per batch).
    const apiSqlChanges = await sqlOfApi(ROLLUP_UNITS);
    await knex.raw('TRUNCATE meter_readings, rollup_changes');

    const rss = sampleRss(() => api.proc.child.pid);
    const viaApi = await measure(opts.batches, opts.batchSize, async (k) => {
      const body = bodies[k + 1]!;
      const res = await fetch(`${api.url}/api/sync/readings/batch`, {
        method: 'POST',
        headers: { ...headers, 'content-encoding': 'gzip' },
        body,
      });
      const out = (await res.json()) as { stored?: number };
      if (!res.ok || out.stored !== opts.batchSize)
        throw new Error(`batch ${k}: ${res.status} ${JSON.stringify(out).slice(0, 300)}`);
    });
    const peak = rss.stop();
    const ratio = viaApi / baseline;
    return {
      name: 'ingest',
      lines: [
        `ingest: ${opts.batches} batches × ${opts.batchSize} readings (+1 warm-up each), ${METERS} meters × ${POINTS.length} points`,
        `  baseline: unnest bulk insert, same table   ${rate(baseline)} readings`,
        `  API: POST /api/sync/readings/batch (gzip)  ${rate(viaApi)} readings`,
        `  ratio API / baseline: ${ratio.toFixed(3)} (target ≥ 0.50)`,
        `  decomposition: the API's own SQL alone ${rate(apiSql)} readings (${(apiSql / baseline).toFixed(2)} of baseline); with the rollup change records ${rate(apiSqlChanges)} (${perK(apiSqlChanges)} ms per 1000);`,
        `    per 1000 readings: baseline ${perK(baseline)} ms, API SQL ${perK(apiSql)} ms, whole API path ${perK(viaApi)} ms → HTTP + gunzip + JSON + validation ≈ ${(perK(viaApi) - perK(apiSql)).toFixed(1)} ms`,
        `  API peak RSS during the API run: ${mb(peak)}`,
      ],
      figures: { baseline, api: viaApi, apiSql, apiSqlChanges, ratio, apiPeakRss: peak },
      target: { description: 'API ≥ 50 % of the unnest baseline', met: ratio >= 0.5 },
    };
  } finally {
    await api.stop();
    await api.db.destroy();
  }
}
