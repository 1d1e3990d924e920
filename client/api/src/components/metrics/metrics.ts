import { createHash, timingSafeEqual } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import { ErrorCode } from '@meterit/shared';
import type { Knex } from 'knex';
import { createMetricsRegistry, createToolCallMetrics, prom, type MetricsRegistry } from '@meterit/shared/node';
import { CHANGING_TOOLS, READ_ONLY_TOOLS, type ToolCallRecord } from '@meterit/client-mcp';
import { MetricsRepository } from './metrics-repository.js';
import { ApiError } from '../../errors.js';

export interface ApiMetrics {
  registry: MetricsRegistry;
  /** Times every request (route label with ids folded) and counts the readings stored by sync batches. */
  middleware: RequestHandler;
  countToolCall(call: ToolCallRecord): void;
}

const BATCH_PATH = '/api/sync/readings/batch';

/** A low-cardinality route label: ids and key prefixes folded, the web app's files as one label. */
function routeLabel(path: string): string {
  if (path === '/mcp' || path === '/metrics' || path === '/health' || path === '/ready') return path;
  if (!path.startsWith('/api/')) return 'static';
  return path
    .split('/')
    .slice(0, 6)
    .map((seg) => (/^\d+$/.test(seg) ? ':id' : /^[0-9a-f]{16}$/.test(seg) ? ':prefix' : seg))
    .join('/');
}

/** The client API's Prometheus figures (prom-client), served at GET /metrics. */
export function createApiMetrics(knex: Knex): ApiMetrics {
  const registry = createMetricsRegistry('client-api');
  const repo = new MetricsRepository(knex);
  const countToolCall = createToolCallMetrics(registry, [...CHANGING_TOOLS, ...READ_ONLY_TOOLS]);
  const http = new prom.Histogram({
    name: 'meterit_http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const stored = new prom.Counter({
    name: 'meterit_readings_stored_total',
    help: 'Readings stored from site batches (duplicates not counted)',
    registers: [registry],
  });
  const duplicates = new prom.Counter({
    name: 'meterit_readings_duplicate_total',
    help: 'Readings in site batches that were already stored',
    registers: [registry],
  });
  new prom.Gauge({
    name: 'meterit_site_heartbeat_age_seconds',
    // By site id only: a site's name is operators' data, and a scrape is not a login.
    help: "Seconds since each active site's last heartbeat (-1: never)",
    labelNames: ['site_id'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const s of await repo.heartbeatAges())
        this.set({ site_id: String(s.site_id) }, s.age_s === null ? -1 : Math.round(s.age_s));
    },
  });
  new prom.Gauge({
    name: 'meterit_db_pool_connections',
    help: 'Database pool connections by state (used, free, pending acquires)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const pool = (knex.client as { pool?: { numUsed(): number; numFree(): number; numPendingAcquires(): number } })
        .pool;
      if (!pool) return;
      this.set({ state: 'used' }, pool.numUsed());
      this.set({ state: 'free' }, pool.numFree());
      this.set({ state: 'pending' }, pool.numPendingAcquires());
    },
  });

  const middleware: RequestHandler = (req, res, next) => {
    const end = http.startTimer({ method: req.method });
    if (req.method === 'POST' && req.path === BATCH_PATH) {
      // The batch answer says how many readings were stored: count them as they leave.
      const json = res.json.bind(res);
      res.json = (body: unknown) => {
        if (res.statusCode < 300 && body && typeof body === 'object') {
          const b = body as { stored?: unknown; duplicates?: unknown };
          if (typeof b.stored === 'number') stored.inc(b.stored);
          if (typeof b.duplicates === 'number') duplicates.inc(b.duplicates);
        }
        return json(body);
      };
    }
    res.on('finish', () => end({ route: routeLabel(req.path), status: String(res.statusCode) }));
    next();
  };

  return {
    registry,
    middleware,
    countToolCall,
  };
}

/**
 * GET /metrics in the Prometheus text format. With `token` (METRICS_TOKEN, required in production) a scrape must send
 * `Authorization: Bearer <token>`; without it the endpoint is open, like /health.
 */
export function metricsRouter(m: ApiMetrics, token?: string): Router {
  const router = Router();
  const expected = token === undefined ? undefined : createHash('sha256').update(token).digest();
  router.get('/metrics', async (req, res) => {
    if (expected) {
      const sent = /^Bearer (\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
      // Compared as hashes: equal lengths for timingSafeEqual, and nothing about the token's length leaks.
      if (!sent || !timingSafeEqual(createHash('sha256').update(sent).digest(), expected)) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="meterit-metrics"');
        throw sent
          ? new ApiError(
              401,
              ErrorCode.AUTH_INVALID,
              'the metrics token is wrong; send METRICS_TOKEN as Authorization: Bearer <token>',
            )
          : new ApiError(
              401,
              ErrorCode.AUTH_MISSING,
              '/metrics needs the scrape token: send METRICS_TOKEN as Authorization: Bearer <token>',
            );
      }
    }
    res.setHeader('Content-Type', m.registry.contentType);
    res.send(await m.registry.metrics());
  });
  return router;
}
