import { Router } from 'express';
import { createMetricsRegistry, createToolCallMetrics, prom, type MetricsRegistry } from '@meterit/shared/node';
import { CHANGING_TOOLS, READ_ONLY_TOOLS, type ToolCallRecord } from '@meterit/sync-mcp';
import { meterState, meterUp } from '../health/meter-state.js';
import type { SiteReadModel, SiteStatus } from '../site/ports.js';

export interface AgentMetrics {
  registry: MetricsRegistry;
  countToolCall(call: ToolCallRecord): void;
}

const seconds = (d: Date | null | undefined) => (d ? d.getTime() / 1000 : 0);

/**
 * The agent's Prometheus figures. MCP calls are counted as they happen; the agent's state
 * (backlog, uplink, meters) is read from the running agent at each scrape.
 */
export function createAgentMetrics(read: SiteReadModel): AgentMetrics {
  const registry = createMetricsRegistry('sync-agent');
  const countToolCall = createToolCallMetrics(registry, [...CHANGING_TOOLS, ...READ_ONLY_TOOLS]);

  const gauge = (
    name: string,
    help: string,
    collect: (g: InstanceType<typeof prom.Gauge>) => Promise<void> | void,
    labelNames: string[] = [],
  ) =>
    new prom.Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        await collect(this);
      },
    });

  // Counters of what the collector and the uploader have done since the agent started; rates
  // (collection and sync success rates) come from them, e.g. rate(meterit_collection_polls_total{result="ok"}[5m]).
  const total = (name: string, help: string, label: string, read: () => Record<string, number>) =>
    new prom.Counter({
      name,
      help,
      labelNames: [label],
      registers: [registry],
      collect() {
        this.reset();
        for (const [value, n] of Object.entries(read())) this.inc({ [label]: value }, n);
      },
    });
  total(
    'meterit_collection_polls_total',
    'Meter polls by result: ok (readings stored) or failed (no reading)',
    'result',
    () => ({
      ok: read.totals().collection.pollsOk,
      failed: read.totals().collection.pollsFailed,
    }),
  );
  total(
    'meterit_sync_runs_total',
    'Sync runs by result: ok (the queue was sent up to what collection added meanwhile) or failed',
    'result',
    () => ({
      ok: read.totals().sync.runsOk,
      failed: read.totals().sync.runsFailed,
    }),
  );
  total(
    'meterit_sync_readings_total',
    'Readings sent, by what the client system did: stored, duplicate (it had them), rejected (dead letters)',
    'result',
    () => ({
      stored: read.totals().sync.stored,
      duplicate: read.totals().sync.duplicates,
      rejected: read.totals().sync.deadLettered,
    }),
  );
  total('meterit_collection_points_total', 'Data points by result: read (queued) or failed', 'result', () => ({
    read: read.totals().collection.pointsRead,
    failed: read.totals().collection.pointsFailed,
  }));

  // One status read per scrape, shared by the gauges below.
  let scrape: { at: number; status: Promise<SiteStatus> } | null = null;
  const status = () => {
    const now = Date.now();
    if (!scrape || now - scrape.at > 1000) scrape = { at: now, status: read.status() };
    return scrape.status;
  };
  // While the local database is down, the meters' series keep their last values.
  const databaseUp = async () => (await status()).localDatabase.state === 'up';

  gauge('meterit_collection_running', '1 while the agent polls the meters', async (g) =>
    g.set((await status()).collecting ? 1 : 0),
  );
  gauge('meterit_collection_last_cycle_timestamp_seconds', 'When the meters were last polled', async (g) =>
    g.set(seconds((await status()).collection.lastCycleAt)),
  );
  gauge('meterit_backlog_readings', 'Readings waiting to be sent', async (g) => g.set((await status()).queue.depth));
  gauge('meterit_backlog_oldest_age_seconds', 'Age of the oldest unsent reading (0 when none)', async (g) => {
    const oldest = (await status()).queue.oldestUnsentAt;
    g.set(oldest ? Math.max(0, (Date.now() - oldest.getTime()) / 1000) : 0);
  });
  gauge('meterit_dead_letters', 'Readings the client system refused', async (g) =>
    g.set((await status()).queue.deadLetters),
  );
  gauge(
    'meterit_uplink_up',
    '1 when the client system answered last time, 0 when not, -1 before the first contact',
    async (g) => {
      const up = (await status()).uplink.up;
      g.set(up === null ? -1 : up ? 1 : 0);
    },
  );
  gauge(
    'meterit_sync_last_run_ok',
    '1 when the last sync run delivered everything, 0 when it failed, -1 before the first run',
    async (g) => {
      const last = (await status()).lastSync;
      g.set(last === null ? -1 : last.ok ? 1 : 0);
    },
  );
  gauge('meterit_sync_consecutive_failures', 'Failed sync runs in a row', (g) =>
    g.set(read.totals().syncFailuresInARow),
  );
  gauge(
    'meterit_local_database_up',
    "1 when the agent's own database answers, 0 while it restarts or is down",
    async (g) => g.set((await databaseUp()) ? 1 : 0),
  );
  gauge(
    'meterit_local_database_restarts',
    'Times the agent restarted its embedded database since it started',
    async (g) => g.set((await status()).localDatabase.restarts),
  );
  gauge('meterit_spilled_readings', 'Readings waiting in the spill file on disk for the local database', async (g) =>
    g.set((await status()).localDatabase.spilledReadings),
  );
  gauge(
    'meterit_sync_last_success_timestamp_seconds',
    'When a sync run last succeeded (0: not since start)',
    async (g) => g.set(seconds((await status()).lastSuccessfulSyncAt)),
  );
  gauge(
    'meterit_meters',
    'Configured meters by state',
    async (g) => {
      if (!(await databaseUp())) return;
      const { configured: _configured, ...counts } = (await status()).meters.counts;
      g.reset();
      for (const [state, n] of Object.entries(counts)) g.set({ state }, n);
    },
    ['state'],
  );
  gauge(
    'meterit_meter_up',
    'Per meter: 1 when its last poll succeeded, 0 when not (or never)',
    async (g) => {
      if (!(await databaseUp())) return;
      const { meters, statuses } = await read.meters();
      const byId = new Map(statuses.map((m) => [m.meterExternalId, m]));
      const slowMs = read.facts().meterSlowMs;
      g.reset();
      for (const m of meters) g.set({ meter: m.id }, meterUp(meterState(byId.get(m.id), slowMs)) ? 1 : 0);
    },
    ['meter'],
  );
  gauge(
    'meterit_meter_consecutive_failures',
    'Per meter: failed polls in a row',
    async (g) => {
      if (!(await databaseUp())) return;
      const { meters, statuses } = await read.meters();
      const byId = new Map(statuses.map((m) => [m.meterExternalId, m]));
      g.reset();
      for (const m of meters) g.set({ meter: m.id }, byId.get(m.id)?.consecutiveFailures ?? 0);
    },
    ['meter'],
  );

  return {
    registry,
    countToolCall,
  };
}

/** GET /metrics in the Prometheus text format (read-only, like the views; the LAN-only rule applies). */
export function metricsRouter(metrics: AgentMetrics): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    res.set('content-type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  return router;
}
