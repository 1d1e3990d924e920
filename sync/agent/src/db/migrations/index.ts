import type { Migration } from '@meterit/shared/node';
import { siteSchema } from './20261121_000001_site_schema.js';
import { mcpAudit } from './20261201_000001_mcp_audit.js';
import { meterPointStatus } from './20261202_000001_meter_point_status.js';

/** Every migration of the site database, oldest first. */
export const siteMigrations: Migration[] = [siteSchema, mcpAudit, meterPointStatus];
