import { gzipSync } from 'node:zlib';
import { createTestDatabase, type TestPostgres } from '@meterit/shared/testing';
import { createSite, startClientSystem } from '../harness/processes.js';
import { cpuProfArgs, median, rate, type BenchResult } from './common.js';
import { measure, registerBenchMeters } from './ingest.js';

// The energy rollups' upkeep per ingested batch: the same batches through the same upload path (HTTP, gzip, key,
// validation, idempotent insert) into an API that keeps the rollups (ingest records one change per series per batch
// in its transaction; the worker recomputes the quarter hours they touch and the hours, days and months above) and
// into one that does not (ENERGY_ROLLUPS_ENABLED=false), alternating, each on a fresh database. Both runs end with the
// same small read right after the last batch; with rollups it waits for the catch-up of what the worker (on its 5 s
// timer meanwhile) has not applied yet, so "with" is measured until the rollups are current.
const METERS = 25;
const POINTS = [
  { name: 'total_kwh', unit: 'kWh' },
  { name: 'current_kw', unit: 'kW' },
  { name: 'voltage', unit: 'V' },
  { name: 'current', unit: 'A' },
];
const PER_POLL = METERS * POINTS.length;
/** The site polls every meter every 10 s; a batch of 1000 readings is 10 polls, batches follow each other in time. */
const POLL_MS = 10_000;
const ADMIN = { email: 'bench@meterit.test', password: 'bench-password-123' };
const T0 = Date.UTC(2020, 0, 1);

function batch(k: number, size: number) {
  const readings = [];
  for (let i = 0; i < size; i++) {
    const poll = k * Math.ceil(size / PER_POLL) + Math.floor(i / PER_POLL);
    const m = Math.floor(i / POINTS.length) % METERS;
    const point = POINTS[i % POINTS.length]!;
    const kw = 2 + (m % 5);
    const value =
      point.name === 'total_kwh'
        ? 1000 * m + (poll * POLL_MS * kw) / 3_600_000
        : point.name === 'current_kw'
          ? kw
          : point.name === 'voltage'
            ? 230 + (poll % 7) * 0.1
            : (kw * 1000) / 230;
    readings.push({
      meter_external_id: `bench-${m}`,
      data_point: point.name,
      timestamp: new Date(T0 + poll * POLL_MS).toISOString(),
      value,
      unit: point.unit,
      quality: 'good',
    });
  }
  return readings;
}

interface Run {
  /** Readings per second while posting. */
  post: number;
  /** Readings per second until the read after the last batch has answered (with rollups: they are current then). */
  current: number;
  readMs: number;
  quarters: number;
}

async function run(pg: TestPostgres, keep: boolean, round: number, o: { batches: number; batchSize: number }) {
  const url = await createTestDatabase(pg, `bench_rollups_${keep ? 'with' : 'without'}_${round}`);
  const api = await startClientSystem(url, {
    env: {
      LOG_LEVEL: 'warn',
      ENERGY_ROLLUPS_ENABLED: String(keep),
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
    },
    nodeArgs: cpuProfArgs(),
  });
  try {
    const site = await createSite(url, 'Bench site');
    const headers = await registerBenchMeters(api.url, site.api_key, METERS, POINTS);
    const bodies = Array.from({ length: o.batches + 1 }, (_, i) =>
      gzipSync(JSON.stringify({ batch_id: `b${i}`, readings: batch(i, o.batchSize) })),
    );
    const login = await fetch(`${api.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    });
    const { access_token } = (await login.json()) as { access_token: string };
    const [first] = (await api.db('meters').where({ site_id: site.site_id }).orderBy('id').limit(1)) as {
      id: number;
    }[];
    const meterId = first?.id;
    const post = await measure(o.batches, o.batchSize, async (k) => {
      const res = await fetch(`${api.url}/api/sync/readings/batch`, {
        method: 'POST',
        headers: { ...headers, 'content-encoding': 'gzip' },
        body: bodies[k + 1]!,
      });
      const out = (await res.json()) as { stored?: number };
      if (!res.ok || out.stored !== o.batchSize) throw new Error(`batch ${k}: ${res.status} ${JSON.stringify(out)}`);
    });
    // The same read ends both runs: one meter's consumption over two days. With rollups it applies what is still
    // queued for the site before it answers, so the rollups are current when it returns.
    const started = process.hrtime.bigint();
    const res = await fetch(
      `${api.url}/api/consumption?meter_id=${meterId}&interval=1h&from=2019-12-31T00:00:00Z&to=2020-01-02T00:00:00Z`,
      { headers: { authorization: `Bearer ${access_token}` } },
    );
    if (!res.ok) throw new Error(`consumption read: ${res.status} ${await res.text()}`);
    const readMs = Number(process.hrtime.bigint() - started) / 1e6;
    if (keep) {
      const { rows } = await api.db.raw<{ rows: { n: number }[] }>('SELECT count(*)::int AS n FROM rollup_changes');
      if (rows[0]?.n !== 0) throw new Error(`${rows[0]?.n} changes still queued after the read`);
    }
    const { rows } = await api.db.raw<{ rows: { n: number }[] }>('SELECT count(*)::int AS n FROM energy_quarter_hours');
    const readings = o.batches * o.batchSize;
    const current = readings / (readings / post + readMs / 1000);
    return { post, current, readMs, quarters: rows[0]?.n ?? 0 } satisfies Run;
  } finally {
    await api.stop();
    await api.db.destroy();
  }
}

export async function benchRollups(
  pg: TestPostgres,
  opts: { batches: number; batchSize: number; rounds: number },
): Promise<BenchResult> {
  const without: Run[] = [];
  const withRollups: Run[] = [];
  for (let round = 0; round < opts.rounds; round++) {
    // Alternating which goes first, so a slower minute of the shared machine does not land on one side only.
    for (const keep of round % 2 === 0 ? [false, true] : [true, false]) {
      (keep ? withRollups : without).push(await run(pg, keep, round, opts));
    }
  }
  const base = median(without.map((r) => r.current));
  const current = median(withRollups.map((r) => r.current));
  const posting = median(withRollups.map((r) => r.post)) / median(without.map((r) => r.post));
  const ratio = current / base;
  const list = (runs: Run[], f: (r: Run) => number) => runs.map((r) => f(r).toFixed(0)).join(', ');
  return {
    name: 'rollups',
    lines: [
      `rollups: ${opts.rounds} rounds × ${opts.batches} batches × ${opts.batchSize} readings (${METERS} meters × ${POINTS.length} points, a poll every 10 s), alternating`,
      `  baseline: without rollups (ENERGY_ROLLUPS_ENABLED=false)   ${rate(base)} readings (runs ${list(without, (r) => r.current)}; the read ${list(without, (r) => r.readMs)} ms)`,
      `  with rollups, current after the read                       ${rate(current)} readings (runs ${list(withRollups, (r) => r.current)}; the read with catch-up ${list(withRollups, (r) => r.readMs)} ms)`,
      `  ratio with / without: ${ratio.toFixed(3)} (goal ≥ 0.80); posting alone (worker on its timer meanwhile): ${posting.toFixed(3)}`,
      `  quarter-hour rows kept: ${withRollups[0]?.quarters ?? 0} per run`,
    ],
    figures: { baseline: base, current, ratio, postingRatio: posting },
    target: { description: 'ingest with rollups kept current ≥ 80 % of ingest without', met: ratio >= 0.8 },
  };
}
