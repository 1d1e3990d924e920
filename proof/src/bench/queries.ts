import { createTestDatabase, type TestPostgres } from '@meterit/shared/testing';
import { createSite, startClientSystem } from '../harness/processes.js';
import { median, timed, type BenchResult } from './common.js';

// The operators' dashboard query — one site's last 30 days in 1-hour buckets — on a table of
// 1 million readings, then on a bigger one (other sites and older years added). The time should
// barely grow: the (site_id, ts) index bounds the work by the site's 30 days, not by the table.
const DASHBOARD = `
  SELECT r.meter_id, r.data_point, date_bin('1 hour', r.ts, TIMESTAMPTZ '2000-01-01') AS bucket,
         avg(r.value) AS avg, min(r.value) AS min, max(r.value) AS max, count(*) AS n
  FROM meter_readings r
  WHERE r.site_id = ? AND r.ts >= ? AND r.ts < ?
  GROUP BY 1, 2, 3
  ORDER BY 3, 1, 2`;

const POINTS = ['total_kwh', 'current_kw', 'voltage', 'current'];

export async function benchQueries(pg: TestPostgres, opts: { small: number; big: number }): Promise<BenchResult> {
  const url = await createTestDatabase(pg, 'bench_queries');
  const api = await startClientSystem(url, { env: { LOG_LEVEL: 'warn', SYNC_RATE_LIMIT_PER_MINUTE: '1000000' } });
  try {
    const target = await createSite(url, 'Dashboard site');
    const other = await createSite(url, 'Other sites');
    const register = async (key: string, prefix: string, n: number) => {
      const meters = Array.from({ length: n }, (_, i) => ({
        id: `${prefix}-${i}`,
        name: `${prefix} ${i}`,
        bacnet_device_id: i,
        bacnet_ip: '10.0.0.1',
        data_points: POINTS.map((name, instance) => ({ object_type: 'analogInput', instance, name })),
      }));
      const res = await fetch(`${api.url}/api/sync/meters`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': 'application/json' },
        body: JSON.stringify({ meters }),
      });
      if (!res.ok) throw new Error(`register: ${res.status} ${await res.text()}`);
    };
    await register(target.api_key, 'dash', 10);
    await register(other.api_key, 'other', 200);
    const db = api.db;
    const meterIds = async (siteId: number) =>
      (await db('meters').where({ site_id: siteId }).orderBy('id').pluck('id')) as number[];
    const targetMeters = await meterIds(target.site_id);
    const otherMeters = await meterIds(other.site_id);
    const now = Date.now();
    const to = new Date(Math.floor(now / 3_600_000) * 3_600_000);
    const from = new Date(to.getTime() - 30 * 86_400_000);

    /** n rows at 15-minute spacing per (meter, point), going back from `end`. */
    const fill = async (siteId: number, meters: number[], n: number, end: Date) => {
      const chunk = 500_000;
      for (let done = 0; done < n; done += chunk) {
        const m = Math.min(chunk, n - done);
        await db.raw(
          `INSERT INTO meter_readings (site_id, meter_id, data_point, ts, value, unit, quality)
           SELECT ?, (?::int[])[1 + g % ?], (?::text[])[1 + (g / ?) % 4],
                  to_timestamp(?::double precision / 1000 - 900 * (g / ?)), g * 0.25, 'kWh', 'good'
           FROM generate_series(?::bigint, ?::bigint) AS g
           ON CONFLICT DO NOTHING`,
          [siteId, meters, meters.length, POINTS, meters.length, end.getTime(), meters.length * 4, done, done + m - 1],
        );
      }
    };
    const count = async () => Number((await db('meter_readings').count<{ n: number }[]>('* as n'))[0]?.n ?? 0);
    const measure = async () => {
      await db.raw('ANALYZE meter_readings');
      await db.raw(DASHBOARD, [target.site_id, from, to]); // warm-up
      const times: number[] = [];
      let rows = 0;
      for (let i = 0; i < 7; i++) {
        const r = await timed(() => db.raw(DASHBOARD, [target.site_id, from, to]));
        times.push(r.ms);
        rows = (r.value as { rows: unknown[] }).rows.length;
      }
      return { ms: median(times), rows };
    };

    // The target site: 30 days at 15 min for 10 meters × 4 points (115,200 rows), plus the 60 days before.
    const window = 10 * 4 * 96 * 30;
    await fill(target.site_id, targetMeters, window * 3, to);
    await fill(other.site_id, otherMeters, Math.max(0, opts.small - (await count())), to);
    const smallCount = await count();
    const small = await measure();

    // Grow the table: other sites' readings of the same 30 days and older years of everything.
    const grow = opts.big - smallCount;
    await fill(other.site_id, otherMeters, grow, new Date(to.getTime() - 2 * 365 * 86_400_000));
    const bigCount = await count();
    const big = await measure();
    const ratio = big.ms / small.ms;
    return {
      name: 'queries',
      lines: [
        `dashboard query: one site's last 30 days in 1-hour buckets (${small.rows} result rows from ${window} readings)`,
        `  table of ${(smallCount / 1e6).toFixed(2)} M readings: ${small.ms.toFixed(1)} ms (median of 7)`,
        `  table of ${(bigCount / 1e6).toFixed(2)} M readings: ${big.ms.toFixed(1)} ms (median of 7)`,
        `  ratio big / small: ${ratio.toFixed(2)} (target ≤ 1.5)`,
      ],
      figures: { smallCount, smallMs: small.ms, bigCount, bigMs: big.ms, ratio },
      target: { description: 'dashboard query time grows ≤ 1.5× with the table', met: ratio <= 1.5 },
    };
  } finally {
    await api.stop();
    await api.db.destroy();
  }
}
