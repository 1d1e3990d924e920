// Programmatic entry points of the site agent (used by the installer, MCP server and tests).
export { startAgent } from './agent.js';
export type { Agent, AgentStatus, AgentDeps } from './agent.js';
export { loadConfig, clientOrigin } from './config.js';
export type { AgentConfig } from './config.js';
export { Collector } from './collector/collector.js';
export type { PointReader, PointResult, MeterPollResult } from './collector/collector.js';
export { Uploader, nextDelayMs } from './uploader/uploader.js';
export type { SyncRunResult } from './uploader/uploader.js';
export { ClientApi, ClientApiError } from './uploader/client-api.js';
export { parseMetersFile, loadMetersFile } from './meters/meters-file.js';
export { siteMigrations } from './db/migrations/index.js';
export type { Clock } from './clock.js';
export { systemClock } from './clock.js';
export { startLocalApi } from './local-api/server.js';
export type { LocalApiServer } from './local-api/server.js';
export { isLocalNetworkAddress } from './local-api/network.js';
export type * from '@meterit/shared/site-contracts';
export { createLocalApp } from './local-api/app.js';
