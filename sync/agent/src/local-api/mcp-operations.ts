import type { SiteOperations } from '@meterit/sync-mcp';
import type { Agent } from '../agent.js';
import type { SiteView } from './site-view.js';
import { DiscoveryGate } from './discovery-gate.js';

/**
 * The running agent as the site MCP server sees it: the same objects and view builders the local
 * API uses, so an assistant and the dashboard see the same figures and change the same agent.
 */
export function siteOperations(agent: Agent, view: SiteView): SiteOperations {
  const c = agent.config;
  const adapter = () => {
    if (!agent.bacnet)
      throw new Error(
        'this agent runs without its own BACnet adapter (a test reader), so it cannot discover or read devices',
      );
    return agent.bacnet;
  };
  const discovery = new DiscoveryGate(
    async (o) =>
      adapter().discover({
        timeoutMs: o.timeoutMs,
        ...(o.lowLimit !== undefined && o.highLimit !== undefined
          ? { lowLimit: o.lowLimit, highLimit: o.highLimit }
          : {}),
        ...(o.address ? { address: o.address } : {}),
      }),
    { perCallerPerHour: c.MCP_DISCOVERIES_PER_HOUR, now: () => agent.clock.now() },
  );
  return {
    facts: () => ({
      syncedRetentionHours: c.SYNCED_RETENTION_HOURS,
      collectionIntervalSeconds: c.COLLECTION_INTERVAL_SECONDS,
      bacnetTimeoutMs: c.BACNET_TIMEOUT_MS,
      broadcastAddress: c.BACNET_BBMD_ADDRESS
        ? `${c.BACNET_BBMD_ADDRESS} (through the BBMD, as a foreign device)`
        : `${c.BACNET_BROADCAST_ADDRESS}:${c.BACNET_PORT}`,
    }),
    status: () => view.status(),
    syncLog: async (limit, failuresOnly) => (await view.syncLog(limit, failuresOnly)).entries,
    meters: () => view.meters(),
    readings: (q) => view.readings(q),
    async startCollection(reason) {
      await agent.startCollection(reason);
      return view.collectionState();
    },
    async stopCollection(reason) {
      await agent.stopCollection(reason);
      return view.collectionState();
    },
    syncNow: async () => view.afterSync(await agent.syncNow()),
    deadLetters: (limit) => view.deadLetters(limit),
    async retryDeadLetters(ids) {
      const r = await agent.retryDeadLetters(ids);
      return { ...r, backlog: await view.backlogNow() };
    },
    discover: (o) => discovery.discover(o, o.caller ?? 'unknown'),
    readProperty: async (r) => adapter().readProperty(r.device, r.objectType, r.instance, r.property, r.arrayIndex),
  };
}
