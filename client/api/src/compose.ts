import type { Knex } from 'knex';
import type { Logger } from '@meterit/shared/node';
import type { ClientApiConfig } from './config.js';
import { createAlerts, type AlertsComponent, type Clock } from './components/alerts/index.js';
import { ResponseCounter } from './components/alerts/response-counter.js';
import { AuthService } from './components/auth/auth-service.js';
import { McpTokens } from './components/auth/mcp-tokens.js';
import { CommissioningService } from './components/commissioning/commissioning-service.js';
import { EmissionsService } from './components/emissions/emissions-service.js';
import { McpAuditRepository } from './components/mcp/mcp-audit-repository.js';
import { MeterDirectory } from './components/meters/meter-directory.js';
import { MetersService } from './components/meters/meters-service.js';
import { createApiMetrics, type ApiMetrics } from './components/metrics/metrics.js';
import { IngestService } from './components/readings/ingest.js';
import { ReadingsService } from './components/readings/readings-service.js';
import { DataQualityService } from './components/energy/data-quality-service.js';
import { CompareService } from './components/comparison/compare-service.js';
import { EnergyService } from './components/energy/energy-service.js';
import { EnergySources } from './components/energy/energy-source.js';
import { ROLLUP_UNITS, RollupUpkeep } from './components/energy/rollup-upkeep.js';
import { SiteDirectory } from './components/sites/site-directory.js';
import { SiteHistory } from './components/sites/site-history.js';
import { SitesService } from './components/sites/sites-service.js';
import { createTariffs, MeterIntervalEnergy, type TariffsComponent } from './components/tariffs/index.js';
import { UsersService } from './components/users/users-service.js';

/** Everything the routes call: built once here (the composition root of the API), handed to createApp. */
export interface ApiServices {
  /** The database handle, for /ready and the metrics' pool figures. */
  knex: Knex;
  metrics: ApiMetrics;
  /** Responses by status, for the API error-rate alert. */
  responses: ResponseCounter;
  /** Agent side: site keys, authentication, heartbeats. */
  sites: SitesService;
  /** Agent side: the site's meter configuration, registration. */
  meters: MetersService;
  ingest: IngestService;
  commissioning: CommissioningService;
  auth: AuthService;
  users: UsersService;
  /** Operator side: meters with their latest values and health. */
  meterDirectory: MeterDirectory;
  readings: ReadingsService;
  /** Operator side: energy per day/week/month, against the previous period, peak demand and base load. */
  energy: EnergyService;
  /** Operator side: a site's data-quality issues (the counter events the rollups keep). */
  dataQuality: DataQualityService;
  /** Operator side: a period against the one before and the same one last year, with costs and CO₂. */
  compare: CompareService;
  /** The energy rollups' upkeep (the worker's passes and reads catching up); null when they are not kept. */
  rollups: RollupUpkeep | null;
  /** Operator side: site summaries, status, connectivity, keys. */
  siteDirectory: SiteDirectory;
  /** Operator side: one timeline per site (outages, collection, restarts, keys, alerts). */
  siteHistory: SiteHistory;
  /** Sites' emission factors, constant and per month (the energy views read them with emissionFactorAt). */
  emissions: EmissionsService;
  mcpTokens: McpTokens;
  mcpAudit: McpAuditRepository;
  alerts: AlertsComponent;
  /** Operator side: tariffs (versioned), their assignment to sites and meters, costs per billing period. */
  tariffs: TariffsComponent;
}

/** The settings the services are built with. */
export type ServiceSettings = Pick<
  ClientApiConfig,
  | 'jwtSecret'
  | 'accessTokenTtlSeconds'
  | 'refreshTokenTtlSeconds'
  | 'siteOfflineAfterMinutes'
  | 'outageGapSeconds'
  | 'backlogDegradedMinutes'
  | 'clockSkewDegradedSeconds'
  | 'keyRotationGraceHours'
  | 'mcpTokenMaxDays'
  | 'alerts'
  | 'energyRollups'
>;

/** Build every service and repository of the API on one database. Nothing here listens or starts a timer. */
export function composeServices(deps: {
  knex: Knex;
  logger: Logger;
  config: ServiceSettings;
  /** The alert engine's clock (tests drive it with a ManualClock). */
  alertClock?: Clock | undefined;
}): ApiServices {
  const { knex, config: c } = deps;
  const backlogMs = c.backlogDegradedMinutes * 60_000;
  const meterDirectory = new MeterDirectory(knex, backlogMs);
  const rollups = c.energyRollups.enabled ? new RollupUpkeep(knex) : null;
  const sources = new EnergySources(knex, rollups);
  const readings = new ReadingsService(knex, meterDirectory, sources);
  const responses = new ResponseCounter();
  const siteDirectory = new SiteDirectory(knex, meterDirectory, readings, {
    offlineAfterMs: c.siteOfflineAfterMinutes * 60_000,
    outageGapMs: c.outageGapSeconds * 1000,
    backlogDegradedMs: backlogMs,
    clockSkewDegradedMs: c.clockSkewDegradedSeconds * 1000,
    keyRotationGraceMs: c.keyRotationGraceHours * 3_600_000,
    currentPowerMaxAgeMs: backlogMs,
  });
  const energy = new EnergyService(knex, meterDirectory, sources);
  const emissions = new EmissionsService(knex);
  // Costs read 15-minute energy through the IntervalEnergySource port: the rollups for ranges over a day.
  const tariffs = createTariffs({
    knex,
    meters: meterDirectory,
    energy: new MeterIntervalEnergy(sources, meterDirectory),
  });
  return {
    knex,
    metrics: createApiMetrics(knex),
    responses,
    sites: new SitesService(knex),
    meters: new MetersService(knex),
    ingest: new IngestService(knex, rollups ? ROLLUP_UNITS : null),
    commissioning: new CommissioningService(knex),
    auth: new AuthService(knex, {
      jwtSecret: c.jwtSecret,
      accessTokenTtlSeconds: c.accessTokenTtlSeconds,
      refreshTokenTtlSeconds: c.refreshTokenTtlSeconds,
    }),
    users: new UsersService(knex),
    meterDirectory,
    readings,
    energy,
    compare: new CompareService(knex, { energy, costs: tariffs.costs, emissions }),
    dataQuality: new DataQualityService(knex, rollups),
    rollups,
    siteDirectory,
    siteHistory: new SiteHistory(knex, siteDirectory),
    emissions,
    mcpTokens: new McpTokens(knex, c.mcpTokenMaxDays),
    mcpAudit: new McpAuditRepository(knex),
    tariffs,
    alerts: createAlerts({
      knex,
      logger: deps.logger,
      config: c.alerts,
      meters: meterDirectory,
      readings,
      counter: responses,
      ...(deps.alertClock ? { clock: deps.alertClock } : {}),
    }),
  };
}
