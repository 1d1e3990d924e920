import express, { type Express } from 'express';
import { rateLimit } from 'express-rate-limit';
import { ErrorCode } from '@meterit/shared';
import { failedCredentialLimits, type Logger } from '@meterit/shared/node';
import type { McpAuditLog, SiteControl, SiteReadModel } from '../site/ports.js';
import { LocalAuth } from './auth.js';
import { dashboardRouter, securityHeaders } from './dashboard.js';
import { errorHandler, LocalApiError, notFound } from './errors.js';
import { lanOnly, ownHostOnly } from './network.js';
import { controlRouter, healthRouter, sessionRouter, viewRouter } from './routes.js';
import { SiteView } from './site-view.js';
import { siteDiscoveryGate } from './discovery-gate.js';
import { ToolsView } from './tools-view.js';
import { toolsRouter } from './tools-routes.js';
import { mcpRouter } from './mcp.js';
import { siteOperations } from './mcp-operations.js';
import { createAgentMetrics, metricsRouter, type AgentMetrics } from './metrics.js';
import type { LocalApiSettings } from './settings.js';

/** The local API is an adapter over the site's two ports (and the MCP audit log); it never sees the runtime. */
export interface LocalAppDeps {
  read: SiteReadModel;
  control: SiteControl;
  audit: McpAuditLog;
  settings: LocalApiSettings;
  logger: Logger;
}

/** The local API and the dashboard, without listening: wiring only. */
export function createLocalApp({ read, control, audit, settings: c, logger }: LocalAppDeps): {
  app: Express;
  auth: LocalAuth;
  metrics: AgentMetrics;
} {
  const auth = new LocalAuth({ token: c.token, sessionMinutes: c.sessionMinutes, now: () => read.now() });
  const view = new SiteView(read, { controlEnabled: auth.enabled });
  const metrics = createAgentMetrics(read);
  // One Who-Is at a time on the site, whether the dashboard or an assistant asks (MCP_DISCOVERIES_PER_HOUR per caller).
  const discovery = siteDiscoveryGate(control, { perCallerPerHour: c.mcpDiscoveriesPerHour, now: () => read.now() });
  // Only refused credentials count: a control action refused for a bad field is not a guess at the token.
  const failures = rateLimit(
    failedCredentialLimits(
      () =>
        new LocalApiError(
          429,
          ErrorCode.RATE_LIMITED,
          'too many failed attempts with a wrong or missing control token; wait five minutes',
        ),
    ),
  );

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(lanOnly(c.allowAny));
  app.use(ownHostOnly({ bindHost: c.host, allowed: c.allowedHosts }));
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
  app.use(healthRouter(read));
  app.use(metricsRouter(metrics));
  if (c.mcpEnabled) {
    const ops = siteOperations(read, control, view, discovery);
    app.use(mcpRouter({ read, audit, settings: c, ops, auth, metrics, logger }));
  }
  app.use('/api', express.json({ limit: '64kb', strict: true }));
  app.use(viewRouter(view, () => read.now()));
  app.use(sessionRouter(auth, failures, logger));
  app.use(controlRouter(control, view, auth, failures, logger));
  app.use(toolsRouter(new ToolsView(read, control, discovery), auth, logger));
  app.use(dashboardRouter(c.dashboardDir));
  app.use(notFound);
  app.use(errorHandler(logger));
  return { app, auth, metrics };
}
