import { createTestDatabase, type TestPostgres } from '@meterit/shared/testing';
import { createSite, startClientSystem } from '../harness/processes.js';
import { median, timed, type BenchResult } from './common.js';

// A year of one site's costs per month (GET /api/costs) from raw readings: 10 meters with a kWh counter read every
// 15 minutes, a time-of-use tariff with a new version mid-year. Baseline in the same run: the same site's energy
// per month (GET /api/energy), which reads the same counters at 15 minutes for its peak demand.
const ADMIN = { email: 'bench@costs.example', password: 'bench-costs-password-1' };
const DAY = 86_400_000;

const bands = (day: number) => [
  { name: 'day', price_per_kwh: day, hours: [{ day_kinds: ['weekday'], from_hour: 7, to_hour: 19 }] },
  {
    name: 'night',
    price_per_kwh: day * 0.7,
    hours: [
      { day_kinds: ['weekday'], from_hour: 0, to_hour: 7 },
      { day_kinds: ['weekday'], from_hour: 19, to_hour: 24 },
      { day_kinds: ['weekend', 'holiday'], from_hour: 0, to_hour: 24 },
    ],
  },
];

export async function benchCosts(pg: TestPostgres, opts: { meters: number; days: number }): Promise<BenchResult> {
  const url = await createTestDatabase(pg, 'bench_costs');
  const api = await startClientSystem(url, {
    env: { LOG_LEVEL: 'warn', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password },
  });
  try {
    const site = await createSite(url, 'Cost site');
    const json = async (method: string, p: string, headers: Record<string, string>, body?: unknown) => {
      const res = await fetch(`${api.url}${p}`, {
        method,
        headers: { 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
      return (await res.json()) as Record<string, unknown>;
    };
    await json(
      'POST',
      '/api/sync/meters',
      { 'x-api-key': site.api_key },
      {
        meters: Array.from({ length: opts.meters }, (_, i) => ({
          id: `cost-${i}`,
          name: `Cost meter ${i}`,
          bacnet_device_id: i,
          bacnet_ip: '10.0.0.1',
          data_points: [{ object_type: 'analogInput', instance: 0, name: 'total_kwh', unit: 'kWh' }],
        })),
      },
    );
    const to = new Date(Math.floor(Date.now() / DAY) * DAY);
    const from = new Date(to.getTime() - opts.days * DAY);
    const quarters = (opts.days * DAY) / 900_000;
    // One reading a quarter hour per meter, from an hour before `from` to an hour after `to`; 1–3 kWh a step.
    await api.db.raw(
      `INSERT INTO meter_readings (site_id, meter_id, data_point, ts, value, unit, quality)
       SELECT m.site_id, m.id, 'total_kwh', ?::timestamptz + g * interval '15 minutes', g * 2 + (g % 3), 'kWh', 'good'
         FROM meters m CROSS JOIN generate_series(-4, ?::int + 4) AS g
        WHERE m.site_id = ?`,
      [from, quarters, site.site_id],
    );
    await api.db.raw('ANALYZE meter_readings');
    const token = ((await json('POST', '/api/auth/login', {}, ADMIN)) as { access_token: string }).access_token;
    const auth = { authorization: `Bearer ${token}` };
    const mid = new Date(from.getTime() + (opts.days / 2) * DAY).toISOString().slice(0, 10);
    const tariff = (await json('POST', '/api/tariffs', auth, {
      name: 'Bench TOU',
      currency: 'EUR',
      versions: [
        { valid_from: '2000-01-01', bands: bands(0.3), demand_price_per_kw: 10, day_fee: 1, month_fee: 20 },
        { valid_from: mid, bands: bands(0.35), demand_price_per_kw: 12, day_fee: 1.2, month_fee: 25 },
      ],
    })) as { tariff: { id: number } };
    await json('POST', `/api/sites/${site.site_id}/tariffs`, auth, {
      tariff_id: tariff.tariff.id,
      valid_from: '2000-01-01',
    });

    const range = `site_id=${site.site_id}&from=${from.toISOString()}&to=${to.toISOString()}`;
    const measure = async (p: string) => {
      await json('GET', p, auth); // warm-up
      const times: number[] = [];
      for (let i = 0; i < 5; i++) times.push((await timed(() => json('GET', p, auth))).ms);
      return median(times);
    };
    const costsMs = await measure(`/api/costs?${range}&period=month`);
    const energyMs = await measure(`/api/energy?${range}&interval=month&group=site&tz=UTC`);
    const ratio = costsMs / energyMs;
    const readings = opts.meters * (quarters + 9);
    return {
      name: 'costs',
      lines: [
        `costs per month over ${opts.days} days, ${opts.meters} meters, ${readings} raw readings (15-min counters)`,
        `  GET /api/costs?period=month: ${costsMs.toFixed(0)} ms (median of 5)`,
        `  baseline GET /api/energy?interval=month (same counters): ${energyMs.toFixed(0)} ms (median of 5)`,
        `  ratio costs / energy: ${ratio.toFixed(2)}`,
      ],
      figures: { readings, costsMs, energyMs, ratio },
    };
  } finally {
    await api.stop();
    await api.db.destroy();
  }
}
