import type { Knex } from 'knex';
import type { Logger } from '@meterit/shared/node';
import type { MeterDirectory } from '../meters/meter-directory.js';
import type { ReadingsService } from '../readings/readings-service.js';
import type { AlertsConfig } from './alerts-config.js';
import { AlertsRepository } from './alerts-repository.js';
import { AlertsService } from './alerts-service.js';
import { systemClock, type Clock } from '../../clock.js';
import { AlertEngine } from './engine.js';
import { Notifier } from './notifier.js';
import { ResponseCounter } from './response-counter.js';

export interface AlertsComponent {
  service: AlertsService;
  engine: AlertEngine;
  counter: ResponseCounter;
  notifier: Notifier;
  /** Seed the built-in rules and, when enabled, start evaluating. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The alerts component: engine (own scheduler), notifier (outbox, SMTP, webhooks), service (routes and MCP). */
export function createAlerts(deps: {
  knex: Knex;
  logger: Logger;
  config: AlertsConfig;
  meters: MeterDirectory;
  readings: ReadingsService;
  clock?: Clock;
  counter?: ResponseCounter;
}): AlertsComponent {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger.child({ module: 'alerts' });
  const repo = new AlertsRepository(deps.knex);
  const counter = deps.counter ?? new ResponseCounter();
  const notifier = new Notifier(repo.outbox, deps.config, clock, logger);
  const engine = new AlertEngine({
    repo,
    readings: deps.readings,
    counter,
    notifier,
    config: deps.config,
    clock,
    logger,
  });
  const service = new AlertsService(repo, {
    meters: deps.meters,
    readings: deps.readings,
    counter,
    notifier,
    engine,
    config: deps.config,
    clock,
  });
  return {
    service,
    engine,
    counter,
    notifier,
    async start() {
      await engine.init();
      if (deps.config.enabled) engine.start();
    },
    async stop() {
      await engine.stop();
      notifier.close();
    },
  };
}

export { AlertsService } from './alerts-service.js';
export type { ActiveAlertsFilter, AlertListFilter, AlertsActor } from './alerts-service.js';
export { ManualClock, systemClock } from '../../clock.js';
export type { Clock } from '../../clock.js';
export { alertsRouter } from './routes.js';
export { defaultAlertsConfig } from './alerts-config.js';
export type { AlertsConfig } from './alerts-config.js';
