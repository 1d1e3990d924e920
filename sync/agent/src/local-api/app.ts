import express, { type Express } from 'express';
import { rateLimit } from 'express-rate-limit';
import { ErrorCode } from '@meterit/shared';
import type { Logger } from '@meterit/shared/node';
import type { Agent } from '../agent.js';
import { LocalAuth } from './auth.js';
import { dashboardRouter, securityHeaders } from './dashboard.js';
import { errorHandler, LocalApiError, notFound } from './errors.js';
import { lanOnly, ownHostOnly } from './network.js';
import { controlRouter, healthRouter, sessionRouter, viewRouter } from './routes.js';
import { SiteView } from './site-view.js';
import { mcpRouter } from './mcp.js';
import { siteOperations } from './mcp-operations.js';
import { createAgentMetrics, metricsRouter, type AgentMetrics } from './metrics.js';

export interface LocalAppDeps {
  agent: Agent;
  logger: Logger;
}

/** Failed credential attempts per client address before it must wait (login and control actions). */
const FAILED_ATTEMPTS_PER_5_MIN = 30;

/** The local API and the dashboard, without listening: wiring only. */
export function createLocalApp({ agent, logger }: LocalAppDeps): {
  app: Express;
  auth: LocalAuth;
  metrics: AgentMetrics;
} {
  const c = agent.config;
  const auth = new LocalAuth({
    token: c.LOCAL_API_TOKEN,
    sessionMinutes: c.LOCAL_API_SESSION_MINUTES,
    now: () => agent.clock.now(),
  });
  const view = new SiteView(agent, {
    slowMs: c.METER_SLOW_MS,
    dataDir: c.SYNC_DATA_DIR,
    bacnetTimeoutMs: c.BACNET_TIMEOUT_MS,
    controlEnabled: auth.enabled,
  });
  const metrics = createAgentMetrics(agent, c.METER_SLOW_MS);
  const failures = rateLimit({
    windowMs: 5 * 60_000,
    limit: FAILED_ATTEMPTS_PER_5_MIN,
    // Only refused credentials count: a control action refused for a bad field is not a guess at the token.
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req, _res, next) => {
      next(
        new LocalApiError(
          429,
          ErrorCode.RATE_LIMITED,
          'too many failed attempts with a wrong or missing control token; wait five minutes',
        ),
      );
    },
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(lanOnly(c.LOCAL_API_ALLOW_ANY));
  app.use(ownHostOnly({ bindHost: c.LOCAL_API_HOST, allowed: c.LOCAL_API_ALLOWED_HOSTS }));
  app.use(securityHeaders);
  app.use((req, res, next) => {
    const started = Date.now();
    res.on('finish', () => {
      // The dashboard polls every few seconds: reads are debug, everything else info.
      const level = req.method === 'GET' && res.statusCode < 400 ? 'debug' : 'info';
      logger.log(level, 'request', {
        method: req.method,
        path: req.path,
        status: res.statusCode,
        duration_ms: Date.now() - started,
      });
    });
    next();
  });
  app.use(healthRouter(agent.db.knex));
  app.use(metricsRouter(metrics));
  if (c.MCP_ENABLED) app.use(mcpRouter({ agent, ops: siteOperations(agent, view), auth, metrics, logger }));
  app.use('/api', express.json({ limit: '64kb', strict: true }));
  app.use(viewRouter(view, () => agent.clock.now()));
  app.use(sessionRouter(auth, failures, logger));
  app.use(controlRouter(agent, view, auth, failures, logger));
  app.use(dashboardRouter(c.LOCAL_DASHBOARD_DIR));
  app.use(notFound);
  app.use(errorHandler(logger));
  return { app, auth, metrics };
}
