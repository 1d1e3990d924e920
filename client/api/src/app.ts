import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Express } from 'express';
import type { Logger } from '@meterit/shared/node';
import { securityHeaders } from '@meterit/shared/node';
import { requestContext } from './middleware/request-context.js';
import { errorHandler, notFound } from './middleware/error-handler.js';
import { userAuth } from './middleware/user-auth.js';
import { jsonBody as syncJsonBody, jsonOnlyBody } from './middleware/json-body.js';
import { healthRouter } from './components/health/routes.js';
import { syncRouter } from './components/sync/routes.js';
import { authRouter, userAuthWhilePasswordChangePending } from './components/auth/routes.js';
import { usersRouter } from './components/users/routes.js';
import { accountRouter } from './components/users/account-routes.js';
import { metersRouter } from './components/meters/operator-routes.js';
import { readingsRouter } from './components/readings/operator-routes.js';
import { energyRouter } from './components/energy/routes.js';
import { dataQualityRouter } from './components/energy/data-quality-routes.js';
import { compareRouter } from './components/comparison/routes.js';
import { sitesRouter } from './components/sites/operator-routes.js';
import type { ClientApiConfig } from './config.js';
import type { ApiServices } from './compose.js';
import { alertsRouter } from './components/alerts/index.js';
import { mcpTokensRouter } from './components/auth/mcp-token-routes.js';
import { clientOperations, mcpAlerts } from './components/mcp/client-operations.js';
import { mcpRouter } from './components/mcp/routes.js';
import { metricsRouter } from './components/metrics/metrics.js';
import { commissioningRouter, commissioningSyncRouter } from './components/commissioning/routes.js';
import { emissionsRouter } from './components/emissions/routes.js';
import { tariffsRouter } from './components/tariffs/index.js';

/** How the HTTP side behaves: limits, proxies, what is served besides the API. */
export type AppSettings = Pick<
  ClientApiConfig,
  | 'bodyLimit'
  | 'syncRateLimitPerMinute'
  | 'trustProxy'
  | 'loginRateLimitPerMinute'
  | 'loginAddressRateLimitPerMinute'
  | 'commissioningRateLimitPerMinute'
  | 'readingsMaxRows'
  | 'webDistDir'
  | 'mcpEnabled'
  | 'mcpAllowedOrigins'
  | 'metricsToken'
>;

/** The Express application, without listening: wiring only. */
export function createApp(services: ApiServices, o: AppSettings & { logger: Logger }): Express {
  const s = services;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', o.trustProxy);
  // CSP, frame-ancestors, nosniff, Referrer-Policy on every answer (API, errors, the web app); HSTS over HTTPS only.
  app.use(securityHeaders());
  app.use(requestContext(o.logger));
  // Responses by status for the API error-rate alert, counted before any router can answer.
  app.use(s.responses.middleware());
  app.use(s.metrics.middleware);
  app.use(metricsRouter(s.metrics, o.metricsToken));
  // Inflates gzip/deflate/br bodies; the limit applies to the decoded size, so a small gzip bomb cannot expand past it.
  // Routers mount it after authentication, so an unauthenticated caller cannot make us read and parse large bodies.
  const jsonBody = syncJsonBody(o.bodyLimit);
  const smallJsonBody = jsonOnlyBody('1mb');
  app.use(healthRouter(s.knex));
  // The installer's commissioning report: its own body and rate limits, so it goes before the other /api/sync routes.
  app.use(
    commissioningSyncRouter({
      sites: s.sites,
      commissioning: s.commissioning,
      uploadsPerMinute: o.commissioningRateLimitPerMinute,
    }),
  );
  app.use(
    syncRouter({
      sites: s.sites,
      meters: s.meters,
      ingest: s.ingest,
      rateLimitPerMinute: o.syncRateLimitPerMinute,
      jsonBody,
    }),
  );
  app.use(
    authRouter({
      auth: s.auth,
      users: s.users,
      loginRateLimitPerMinute: o.loginRateLimitPerMinute,
      loginAddressRateLimitPerMinute: o.loginAddressRateLimitPerMinute,
      jsonBody: smallJsonBody,
    }),
  );
  app.use(
    accountRouter({
      users: s.users,
      userAuthWhilePasswordChangePending: userAuthWhilePasswordChangePending(s.auth),
      userAuth: userAuth(s.auth),
      jsonBody: smallJsonBody,
    }),
  );
  // Every operator endpoint: a valid access token first, then the body.
  app.use(
    ['/api/sites', '/api/meters', '/api/readings', '/api/consumption', '/api/energy', '/api/users'],
    userAuth(s.auth),
    smallJsonBody,
  );
  app.use(sitesRouter({ sites: s.siteDirectory, meters: s.meterDirectory, history: s.siteHistory }));
  app.use(commissioningRouter(s.commissioning));
  app.use(emissionsRouter(s.emissions));
  app.use(metersRouter(s.meterDirectory));
  app.use(readingsRouter({ readings: s.readings, meters: s.meterDirectory, maxRows: o.readingsMaxRows }));
  app.use(energyRouter(s.energy));
  app.use(dataQualityRouter(s.dataQuality));
  app.use(compareRouter(s.compare));
  app.use(usersRouter(s.users));
  app.use(['/api/alerts', '/api/alert-rules', '/api/notifications'], userAuth(s.auth), smallJsonBody);
  app.use(alertsRouter(s.alerts.service));
  app.use(['/api/tariffs', '/api/holiday-calendars', '/api/costs'], userAuth(s.auth), smallJsonBody);
  app.use(tariffsRouter(s.tariffs));
  // Personal MCP tokens (created with a web-app login) and the MCP server for AI assistants.
  app.use(mcpTokensRouter({ tokens: s.mcpTokens, userAuth: userAuth(s.auth), jsonBody: smallJsonBody }));
  if (o.mcpEnabled) {
    app.use(
      mcpRouter({
        ops: clientOperations({
          sites: s.siteDirectory,
          meters: s.meterDirectory,
          readings: s.readings,
          costs: s.tariffs.costs,
          alerts: mcpAlerts(s.alerts.service),
        }),
        auth: s.auth,
        tokens: s.mcpTokens,
        audit: s.mcpAudit,
        metrics: s.metrics,
        logger: o.logger,
        allowedOrigins: o.mcpAllowedOrigins,
      }),
    );
  }

  // The built web app on the same port: static files, and index.html for every other page path.
  const dist = o.webDistDir;
  if (dist && existsSync(path.join(dist, 'index.html'))) {
    o.logger.info('serving the web app', { dir: dist });
    app.use(
      express.static(dist, {
        index: false,
        maxAge: '1h',
        setHeaders: (res, file) => {
          if (file.endsWith('index.html')) res.setHeader('Cache-Control', 'no-cache');
        },
      }),
    );
    app.use((req, res, next) => {
      if (
        (req.method !== 'GET' && req.method !== 'HEAD') ||
        req.path.startsWith('/api/') ||
        req.path === '/api' ||
        !req.accepts('html')
      ) {
        next();
        return;
      }
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(path.join(dist, 'index.html'));
    });
  }

  app.use(notFound);
  app.use(errorHandler(o.logger, o.bodyLimit));
  return app;
}
