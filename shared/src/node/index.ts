// Node-only helpers shared by the client API and the site agent.
export { openDatabase, startEmbeddedPostgres } from './database.js';
export type {
  Database,
  DatabaseOptions,
  EmbeddedPostgresHandle,
  Migration,
  ConnectionSettings,
  PostmasterExit,
} from './database.js';
export { createLogger } from './logger.js';
export type { Logger, LoggerOptions, LogFileSpec } from './logger.js';
export { parseConfig, ConfigError } from './config.js';
export { createMetricsRegistry, createToolCallMetrics, prom } from './metrics.js';
export type { CountedToolCall, MetricsRegistry } from './metrics.js';
export { securityHeaders, WEB_APP_CSP } from './security-headers.js';
export type { SecurityHeaderOptions } from './security-headers.js';
export { failedCredentialLimits, FAILED_CREDENTIALS_PER_5_MIN } from './failed-credentials.js';
