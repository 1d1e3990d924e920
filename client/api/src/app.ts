import express, { type Express } from 'express';
import type { Knex } from 'knex';
import type { Logger } from '@meterit/shared/node';
import { requestContext } from './middleware/request-context.js';
import { errorHandler, notFound } from './middleware/error-handler.js';
import { healthRouter } from './components/health/routes.js';
import { syncRouter } from './components/sync/routes.js';
import { SitesService } from './components/sites/sites-service.js';
import { MetersService } from './components/meters/meters-service.js';
import { IngestService } from './components/readings/ingest.js';

export interface AppDeps {
  knex: Knex;
  logger: Logger;
  bodyLimit: string;
  syncRateLimitPerMinute: number;
  trustProxy: boolean;
}

/** The Express application, without listening: wiring only. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy);
  app.use(requestContext(deps.logger));
  // Inflates gzip/deflate/br bodies; the limit applies to the decoded size, so a small gzip bomb cannot expand past it.
  // Routers mount it after authentication, so an unauthenticated caller cannot make us read and parse large bodies.
  const jsonBody = express.json({ limit: deps.bodyLimit, inflate: true, strict: true });
  app.use(healthRouter(deps.knex));
  app.use(
    syncRouter({
      sites: new SitesService(deps.knex),
      meters: new MetersService(deps.knex),
      ingest: new IngestService(deps.knex),
      rateLimitPerMinute: deps.syncRateLimitPerMinute,
      jsonBody,
    }),
  );
  app.use(notFound);
  app.use(errorHandler(deps.logger, deps.bodyLimit));
  return app;
}
