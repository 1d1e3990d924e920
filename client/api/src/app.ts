import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Express } from 'express';
import type { Knex } from 'knex';
import type { Logger } from '@meterit/shared/node';
import { securityHeaders } from '@meterit/shared/node';
import { requestContext } from './middleware/request-context.js';
import { errorHandler, notFound } from './middleware/error-handler.js';
import { userAuth } from './middleware/user-auth.js';
import { jsonOnlyBody } from './middleware/json-body.js';
import { healthRouter } from './components/health/routes.js';
import { syncRouter } from './components/sync/routes.js';
import { SitesService } from './components/sites/sites-service.js';
import { MetersService } from './components/meters/meters-service.js';
import { IngestService } from './components/readings/ingest.js';
import { AuthService } from './components/auth/auth-service.js';
import { authRouter } from './components/auth/routes.js';
import { UsersService } from './components/users/users-service.js';
import { usersRouter } from './components/users/routes.js';
import { MeterDirectory } from './components/meters/meter-directory.js';
import { metersRouter } from './components/meters/operator-routes.js';
import { ReadingsService } from './components/readings/readings-service.js';
import { readingsRouter } from './components/readings/operator-routes.js';
import { SiteDirectory } from './components/sites/site-directory.js';
import { sitesRouter } from './components/sites/operator-routes.js';
import type { ClientApiConfig } from './config.js';
import {
  createAlerts,
  alertsRouter,
  type AlertsComponent,
  type AlertsConfig,
  type Clock,
} from './components/alerts/index.js';
import { ResponseCounter } from './components/alerts/response-counter.js';
import { McpTokens } from './components/auth/mcp-tokens.js';
import { mcpTokensRouter } from './components/auth/mcp-token-routes.js';
import { clientOperations, mcpAlerts } from './components/mcp/client-operations.js';
import type { AlertsService } from './components/alerts/alerts-service.js';
import { McpAuditRepository } from './components/mcp/mcp-audit-repository.js';
import { mcpRouter } from './components/mcp/routes.js';
import { createApiMetrics, metricsRouter } from './components/metrics/metrics.js';
import { CommissioningService } from './components/commissioning/commissioning-service.js';
import { commissioningRouter, commissioningSyncRouter } from './components/commissioning/routes.js';

export interface AppDeps {
  /** The alert engine's settings; without them no alerts component (tests of other parts). `onCreated` hands it to the server to start/stop. */
  alerts?: { config: AlertsConfig; clock?: Clock | undefined; onCreated(c: AlertsComponent): void };
  knex: Knex;
  logger: Logger;
  bodyLimit: string;
  syncRateLimitPerMinute: number;
  trustProxy: boolean;
  /** Operator side; defaults suit tests that only exercise the sync endpoints. */
  operator?: Partial<
    Pick<
      ClientApiConfig,
      | 'jwtSecret'
      | 'accessTokenTtlSeconds'
      | 'refreshTokenTtlSeconds'
      | 'loginRateLimitPerMinute'
      | 'loginAddressRateLimitPerMinute'
      | 'commissioningRateLimitPerMinute'
      | 'siteOfflineAfterMinutes'
      | 'outageGapSeconds'
      | 'backlogDegradedMinutes'
      | 'clockSkewDegradedSeconds'
      | 'keyRotationGraceHours'
      | 'readingsMaxRows'
      | 'webDistDir'
      | 'mcpEnabled'
      | 'mcpAllowedOrigins'
      | 'mcpTokenMaxDays'
      | 'metricsToken'
    >
  >;
}

/** The Express application, without listening: wiring only. */
export function createApp(deps: AppDeps): Express {
  const o = deps.operator ?? {};
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy);
  // CSP, frame-ancestors, nosniff, Referrer-Policy on every answer (API, errors, the web app); HSTS over HTTPS only.
  app.use(securityHeaders());
  app.use(requestContext(deps.logger));
  // Responses by status for the API error-rate alert, counted before any router can answer.
  const alertCounter = new ResponseCounter();
  app.use(alertCounter.middleware());
  const metrics = createApiMetrics(deps.knex);
  app.use(metrics.middleware);
  app.use(metricsRouter(metrics, o.metricsToken));
  // Inflates gzip/deflate/br bodies; the limit applies to the decoded size, so a small gzip bomb cannot expand past it.
  // Routers mount it after authentication, so an unauthenticated caller cannot make us read and parse large bodies.
  const jsonBody = express.json({ limit: deps.bodyLimit, inflate: true, strict: true });
  const smallJsonBody = jsonOnlyBody('1mb');
  app.use(healthRouter(deps.knex));
  // The installer's commissioning report: its own body and rate limits, so it goes before the other /api/sync routes.
  const commissioning = new CommissioningService(deps.knex);
  app.use(
    commissioningSyncRouter({
      sites: new SitesService(deps.knex),
      commissioning,
      uploadsPerMinute: o.commissioningRateLimitPerMinute ?? 20,
    }),
  );
  app.use(
    syncRouter({
      sites: new SitesService(deps.knex),
      meters: new MetersService(deps.knex),
      ingest: new IngestService(deps.knex),
      rateLimitPerMinute: deps.syncRateLimitPerMinute,
      jsonBody,
    }),
  );

  const backlogMs = (o.backlogDegradedMinutes ?? 15) * 60_000;
  const auth = new AuthService(deps.knex, {
    jwtSecret: o.jwtSecret ?? 'test-only-secret-that-is-long-enough-0123456789',
    accessTokenTtlSeconds: o.accessTokenTtlSeconds ?? 900,
    refreshTokenTtlSeconds: o.refreshTokenTtlSeconds ?? 30 * 86_400,
  });
  const users = new UsersService(deps.knex);
  const meters = new MeterDirectory(deps.knex, backlogMs);
  const readings = new ReadingsService(deps.knex, meters);
  const sites = new SiteDirectory(deps.knex, meters, readings, {
    offlineAfterMs: (o.siteOfflineAfterMinutes ?? 10) * 60_000,
    outageGapMs: (o.outageGapSeconds ?? 150) * 1000,
    backlogDegradedMs: backlogMs,
    clockSkewDegradedMs: (o.clockSkewDegradedSeconds ?? 60) * 1000,
    keyRotationGraceMs: (o.keyRotationGraceHours ?? 24) * 3_600_000,
    currentPowerMaxAgeMs: backlogMs,
  });
  app.use(
    authRouter({
      auth,
      users,
      loginRateLimitPerMinute: o.loginRateLimitPerMinute ?? 10,
      loginAddressRateLimitPerMinute: o.loginAddressRateLimitPerMinute ?? 30,
      jsonBody: smallJsonBody,
    }),
  );
  // Every operator endpoint: a valid access token first, then the body.
  app.use(
    ['/api/sites', '/api/meters', '/api/readings', '/api/consumption', '/api/users'],
    userAuth(auth),
    smallJsonBody,
  );
  app.use(sitesRouter({ sites, meters }));
  app.use(commissioningRouter(commissioning));
  app.use(metersRouter(meters));
  app.use(readingsRouter({ readings, meters, maxRows: o.readingsMaxRows ?? 10_000 }));
  app.use(usersRouter(users));
  let alertsService: AlertsService | null = null;
  if (deps.alerts) {
    const alerts = createAlerts({
      knex: deps.knex,
      logger: deps.logger,
      config: deps.alerts.config,
      meters,
      readings,
      counter: alertCounter,
      ...(deps.alerts.clock ? { clock: deps.alerts.clock } : {}),
    });
    deps.alerts.onCreated(alerts);
    app.use(['/api/alerts', '/api/alert-rules', '/api/notifications'], userAuth(auth), smallJsonBody);
    app.use(alertsRouter(alerts.service));
    alertsService = alerts.service;
  }
  // Personal MCP tokens (created with a web-app login) and the MCP server for AI assistants.
  const mcpTokens = new McpTokens(deps.knex, o.mcpTokenMaxDays ?? 365);
  app.use(mcpTokensRouter({ tokens: mcpTokens, userAuth: userAuth(auth), jsonBody: smallJsonBody }));
  if (o.mcpEnabled ?? true) {
    app.use(
      mcpRouter({
        ops: clientOperations({ sites, meters, readings, alerts: alertsService ? mcpAlerts(alertsService) : null }),
        auth,
        tokens: mcpTokens,
        audit: new McpAuditRepository(deps.knex),
        metrics,
        logger: deps.logger,
        allowedOrigins: o.mcpAllowedOrigins ?? [],
      }),
    );
  }

  // The built web app on the same port: static files, and index.html for every other page path.
  const dist = o.webDistDir;
  if (dist && existsSync(path.join(dist, 'index.html'))) {
    deps.logger.info('serving the web app', { dir: dist });
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
  app.use(errorHandler(deps.logger, deps.bodyLimit));
  return app;
}
