import type { SiteOperations } from '@meterit/sync-mcp';
import type { SiteControl, SiteReadModel } from '../site/ports.js';
import type { SiteView } from './site-view.js';
import type { DiscoveryGate } from './discovery-gate.js';

/**
 * The running site as the site MCP server sees it: the same ports and view builders the local
 * API uses, so an assistant and the dashboard see the same figures and change the same agent.
 */
export function siteOperations(
  read: SiteReadModel,
  control: SiteControl,
  view: SiteView,
  discovery: DiscoveryGate,
): SiteOperations {
  return {
    facts: () => {
      const f = read.facts();
      return {
        syncedRetentionHours: f.syncedRetentionHours,
        collectionIntervalSeconds: f.collectionIntervalSeconds,
        bacnetTimeoutMs: f.bacnetTimeoutMs,
        broadcastAddress: f.discoveryTarget,
      };
    },
    status: () => view.status(),
    syncLog: async (limit, failuresOnly) => (await view.syncLog(limit, failuresOnly)).entries,
    meters: () => view.meters(),
    readings: (q) => view.readings(q),
    async startCollection(reason) {
      await control.startCollection(reason);
      return view.collectionState();
    },
    async stopCollection(reason) {
      await control.stopCollection(reason);
      return view.collectionState();
    },
    syncNow: async () => view.afterSync(await control.syncNow()),
    deadLetters: (limit) => view.deadLetters(limit),
    async retryDeadLetters(ids) {
      const r = await control.retryDeadLetters(ids);
      return { ...r, backlog: await view.backlogNow() };
    },
    discover: (d) => discovery.discover(d, d.caller ?? 'unknown'),
    readProperty: (r) =>
      control.readPoint({
        device: r.device,
        objectType: r.objectType,
        instance: r.instance,
        property: r.property,
        arrayIndex: r.arrayIndex,
      }),
  };
}
