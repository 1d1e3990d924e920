import type { AlertOperations, ClientOperations } from '@meterit/client-mcp';
import type { AlertsService } from '../alerts/alerts-service.js';
import type { MeterDirectory } from '../meters/meter-directory.js';
import type { ReadingsService } from '../readings/readings-service.js';
import type { SiteDirectory } from '../sites/site-directory.js';
import type { CostsService } from '../tariffs/costs-service.js';
import { worstFirst } from '../sites/site-status.js';

export interface ClientOperationsDeps {
  sites: SiteDirectory;
  meters: MeterDirectory;
  readings: ReadingsService;
  costs: CostsService;
  /** The alert engine as the MCP tools need it; null when this version has none. */
  alerts: AlertOperations | null;
}

/**
 * The running client API as the MCP server sees it: the same services the operator endpoints use,
 * so an assistant and the web app see the same figures. Site scoping is decided by the tools from
 * the caller's user (as the routes do with visibleSites) and passed down as siteIds.
 */
export function clientOperations(d: ClientOperationsDeps): ClientOperations {
  return {
    siteStatuses: async (siteIds, includeInactive, now) =>
      (await d.sites.statuses(siteIds, includeInactive, now)).sort(worstFirst),
    meters: (q, now) =>
      d.meters.list(
        { siteIds: q.siteIds, meterIds: q.meterIds, search: q.search, includeInactive: q.includeInactive },
        now.getTime(),
      ),
    readings: (q) =>
      d.readings.readings(
        { siteIds: q.siteIds, meterId: q.meterId, dataPoint: q.dataPoint, from: q.from, to: q.to },
        q.bucket,
        q.agg,
        q.tz,
        q.limit,
      ),
    consumption: (q) => d.readings.consumption(q),
    readingCounts: (siteIds, from, to) => d.readings.repo.countPerMeter(siteIds, from, to),
    costs: (actor, q) => d.costs.breakdown(actor, q),
    alerts: d.alerts,
  };
}

/** The alert engine's service as the MCP tools see it (the service checks roles and sites itself). */
export function mcpAlerts(service: AlertsService): AlertOperations {
  return {
    listActive: (actor, f) => service.listActive({ includePending: f.includePending }, actor),
    inPeriod: (actor, f) => service.list(actor, { from: f.from, to: f.to, includePending: false, limit: f.limit }),
    configureRule: (input, actor) => service.configureRule(input, actor),
    sendEmail: (mail, actor) => service.sendAlertEmail(mail, actor),
  };
}
