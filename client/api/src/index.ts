// Public entry of @meterit/client-api for other packages (end-to-end tests, scripts).
export { appFor, startClientApi } from './server.js';
export type { RunningClientApi, StartOptions } from './server.js';
export { loadConfig } from './config.js';
export type { ClientApiConfig, DatabaseConfig } from './config.js';
export { createApp } from './app.js';
export type { AppSettings } from './app.js';
export { composeServices } from './compose.js';
export type { ApiServices, ServiceSettings } from './compose.js';
export { SitesService } from './components/sites/sites-service.js';
export type { CreatedSiteKey } from './components/sites/sites-service.js';
export { migrations } from './db/migrations/index.js';
// The readings' SQL, for the ingest benchmark (proof/src/bench/ingest.ts) to time what the API runs.
export { ReadingsRepository } from './components/readings/readings-repository.js';
// The units ingest records rollup changes for, for the same benchmark's decomposition.
export { ROLLUP_UNITS } from './components/energy/rollup-upkeep.js';
// Alerts: the service the MCP server calls (listActive, configureRule, sendAlertEmail), the engine's clock for tests.
export { AlertsService, ManualClock, systemClock, defaultAlertsConfig } from './components/alerts/index.js';
export type {
  AlertsComponent,
  ActiveAlertsFilter,
  AlertListFilter,
  AlertsActor,
  AlertsConfig,
  Clock,
} from './components/alerts/index.js';
