import type { Migration } from '@meterit/shared/node';
import { createSites } from './20251121000100_create_sites.js';
import { createSiteApiKeys } from './20251121000200_create_site_api_keys.js';
import { createMeters } from './20251121000300_create_meters.js';
import { createMeterReadings } from './20251121000400_create_meter_readings.js';
import { createHeartbeatsAndSyncBatches } from './20251121000500_create_heartbeats_and_sync_batches.js';
import { createUsers } from './20251201000100_create_users.js';
import { createAlerts } from './20251215000100_create_alerts.js';
import { createMcpTokensAndAudit } from './20251216000100_create_mcp_tokens_and_audit.js';
import { createCommissioningReports } from './20251220000100_create_commissioning_reports.js';
import { partitionMeterReadings } from './20251220000200_partition_meter_readings.js';
import { notificationSites } from './20261202000100_notification_sites.js';
import { addMeterAgentState } from './20261202000200_add_meter_agent_state.js';
import { userAccount } from './20261203120100_user_account.js';
import { createSiteEvents } from './20261203120500_create_site_events.js';
import { addMeterProtocol } from './20261203120700_add_meter_protocol.js';
import { siteEnergySettings } from './20261207000100_site_energy_settings.js';
import { createSiteEmissionFactors } from './20261208090100_create_site_emission_factors.js';
import { createTariffs } from './20261208120000_create_tariffs.js';
import { energyRollups } from './20261208130000_energy_rollups.js';
import { counterEventImpossible } from './20261208140000_counter_event_impossible.js';

/** In order. Append new migrations here; never edit or reorder one that has shipped. */
export const migrations: Migration[] = [
  createSites,
  createSiteApiKeys,
  createMeters,
  createMeterReadings,
  createHeartbeatsAndSyncBatches,
  createUsers,
  createAlerts,
  createMcpTokensAndAudit,
  createCommissioningReports,
  partitionMeterReadings,
  notificationSites,
  addMeterAgentState,
  userAccount,
  createSiteEvents,
  addMeterProtocol,
  siteEnergySettings,
  createSiteEmissionFactors,
  createTariffs,
  energyRollups,
  counterEventImpossible,
];
