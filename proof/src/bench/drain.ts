import { createTestDatabase, type TestPostgres } from '@meterit/shared/testing';
import type { MeterConfig } from '@meterit/shared';
import { startSimulator, toMetersJson } from '@meterit/simulator';
import { createSite, sampleRss, sleep, startAgentProcess, startClientSystem } from '../harness/processes.js';
import { cpuProfArgs, mb, migrateSiteDb, rate, type BenchResult } from './common.js';

// An agent whose queue already holds N readings (inserted straight into the site database's
// meter_readings, as after a long outage) drains it through the real uploader while its collector
// keeps polling the simulator. Compared with the ingest figure of the same run.
export async function benchDrain(
  pg: TestPostgres,
  opts: { readings: number; ingestRate?: number; batchSize: number },
): Promise<BenchResult> {
  const centralUrl = await createTestDatabase(pg, 'bench_drain_client');
  const siteUrl = await createTestDatabase(pg, 'bench_drain_site');
  await migrateSiteDb(siteUrl);
  const api = await startClientSystem(centralUrl, {
    env: { LOG_LEVEL: 'warn', SYNC_RATE_LIMIT_PER_MINUTE: '1000000' },
  });
  const sim = await startSimulator({
    meters: Array.from({ length: 5 }, (_, i) => ({
      deviceId: 7300 + i,
      name: `Drain meter ${i}`,
      address: `127.0.17.${30 + i}`,
      port: 47808,
    })),
    listenBroadcast: false,
    seed: 3,
  });
  let agent: Awaited<ReturnType<typeof startAgentProcess>> | undefined;
  try {
    const site = await createSite(centralUrl, 'Drain site');
    const meters = toMetersJson(sim.meters).meters as MeterConfig[];
    const ids = meters.map((m) => m.id);
    const points = ['total_kwh', 'current_kw', 'voltage', 'current'];
    const { default: knexFactory } = await import('knex');
    const siteDb = knexFactory({ client: 'pg', connection: siteUrl, pool: { min: 0, max: 2 } });
    const base = Date.now() - 40 * 86_400_000;
    await siteDb.raw(
      `INSERT INTO meter_readings (meter_external_id, data_point, ts, value, unit, quality)
       SELECT (?::text[])[1 + g % ?], (?::text[])[1 + (g / ?) % 4], to_timestamp(?::double precision / 1000 + g / ?), g * 0.5, 'kWh', 'good'
       FROM generate_series(0, ? - 1) AS g`,
      [ids, ids.length, points, ids.length, base, ids.length * 4, opts.readings],
    );
    await siteDb.raw('ANALYZE meter_readings');
    const cutoff = new Date(Date.now() - 86_400_000);
    const backlog = async () =>
      Number(
        (
          await siteDb('meter_readings')
            .whereNull('synced_at')
            .where('ts', '<', cutoff)
            .count<{ n: number }[]>('* as n')
        )[0]?.n ?? 0,
      );
    const before = await backlog();
    // The backlog is ids 1..lastId (inserted before the agent starts). While it drains, the bench only
    // asks whether one of them is still unsent (the agent's partial index, a few pages): a count over
    // the whole table every poll would load the PostgreSQL server the agent and the API share.
    const lastId = Number((await siteDb('meter_readings').max<{ m: number }[]>('id as m'))[0]?.m ?? 0);
    const anyLeft = async () =>
      (await siteDb('meter_readings').whereNull('synced_at').where('id', '<=', lastId).first('id')) !== undefined;

    const spawnedAt = Date.now();
    const watched: { pid?: number | undefined } = {};
    const rss = sampleRss(() => watched.pid);
    agent = await startAgentProcess({
      clientUrl: api.url,
      apiKey: site.api_key,
      databaseUrl: siteUrl,
      meters,
      bacnetInterface: '127.0.17.2',
      nodeArgs: cpuProfArgs(),
      env: {
        BATCH_SIZE: String(opts.batchSize),
        SYNC_INTERVAL_MINUTES: String(1 / 60),
        COLLECTION_INTERVAL_SECONDS: '1',
        BACNET_TIMEOUT_MS: '1000',
        // The agent's default unless the bench is run with SYNC_MAX_IN_FLIGHT=n (to compare 1, 2, 3 … batches in flight).
        ...(process.env.SYNC_MAX_IN_FLIGHT ? { SYNC_MAX_IN_FLIGHT: process.env.SYNC_MAX_IN_FLIGHT } : {}),
      },
    });
    watched.pid = agent.proc.child.pid;
    const runningAt = Date.now();
    const servedBefore = sim.served().length;
    while (await anyLeft()) {
      await sleep(100);
      if (Date.now() - runningAt > 30 * 60_000)
        throw new Error(`drain did not finish in 30 min (${await backlog()} left)`);
    }
    const left = await backlog();
    if (left !== 0) throw new Error(`the backlog shows ${left} unsent readings after the drain`);
    const doneAt = Date.now();
    const peak = rss.stop();
    const collectedMeanwhile = sim.served().length - servedBefore;
    const central = Number((await api.db('meter_readings').count<{ n: number }[]>('* as n'))[0]?.n ?? 0);
    await siteDb.destroy();
    const drainRate = before / ((doneAt - runningAt) / 1000);
    const ratio = opts.ingestRate ? drainRate / opts.ingestRate : NaN;
    return {
      name: 'drain',
      lines: [
        `backlog drain: ${before} queued readings, batch ${opts.batchSize}, ${process.env.SYNC_MAX_IN_FLIGHT ?? 'default'} in flight, collection of ${meters.length} meters every 1 s going on`,
        `  drained in ${((doneAt - runningAt) / 1000).toFixed(1)} s after the agent was up (${((runningAt - spawnedAt) / 1000).toFixed(1)} s start)   ${rate(drainRate)} readings`,
        opts.ingestRate
          ? `  ratio drain / ingest (API figure of this run): ${ratio.toFixed(3)} (target ≥ 0.80)`
          : '  (no ingest figure in this run to compare with)',
        `  values served by the meters meanwhile: ${collectedMeanwhile}; central readings at the end: ${central}`,
        `  agent peak RSS while draining: ${mb(peak)}`,
      ],
      figures: {
        readings: before,
        seconds: (doneAt - runningAt) / 1000,
        rate: drainRate,
        ratio,
        agentPeakRss: peak,
        collectedMeanwhile,
      },
      ...(opts.ingestRate ? { target: { description: 'drain ≥ 80 % of the ingest figure', met: ratio >= 0.8 } } : {}),
    };
  } finally {
    await agent?.stop();
    await agent?.db.destroy();
    await sim.stop();
    await api.stop();
    await api.db.destroy();
  }
}
