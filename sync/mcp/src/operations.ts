// What the site MCP server needs from the running agent. The agent implements this with its own
// objects (collector, uploader, queue, BACnet adapter, the local API's view builders), so the tools
// act on the running agent and no query is written twice. Types only: this package never imports
// the agent, so there is no dependency cycle. The answers are the local API's, defined once in
// @meterit/shared/site-contracts; the agent's typecheck proves that it gives them.
import type {
  CollectionView,
  DeadLettersResponse,
  DiscoveredDevice,
  MetersResponse,
  ReadingsResponse,
  RetryDeadLettersResponse,
  StatusResponse,
  SyncLogEntryView,
  SyncNowResponse,
} from '@meterit/shared/site-contracts';

/** As the agent's BACnet adapter describes a device that answered Who-Is (shaped by the shared discoveryView). */
export type { DiscoveredDevice };

/** The readings asked for, with the defaults applied. */
export interface ReadingsQuery {
  meter?: string | undefined;
  point?: string | undefined;
  from: Date;
  to: Date;
  limit: number;
}

export interface DiscoverOptions {
  timeoutMs: number;
  lowLimit?: number | undefined;
  highLimit?: number | undefined;
  /** Unicast Who-Is to these 'ip' or 'ip:port' targets instead of broadcasting. */
  address?: string[] | undefined;
  /** Who asks (the MCP principal), for the per-caller limit; the agent's /mcp sets it. */
  caller?: string | undefined;
}

export interface ReadPropertyRequest {
  device: { deviceId: number; address: string; port?: number | undefined };
  objectType: string | number;
  instance: number;
  property: string | number;
  arrayIndex?: number | undefined;
}

/** One raw ReadProperty answer: BACnet application-tagged values, or what went wrong. */
export type RawReadResult =
  { ok: true; values: Array<{ type: number; value: unknown }> } | { ok: false; code: string; message: string };

/** Fixed facts about this agent the tools quote (limits, retention). */
export interface SiteFacts {
  /** Synced readings stay on the site this long; unsent readings stay until sent. */
  syncedRetentionHours: number;
  collectionIntervalSeconds: number;
  /** The adapter's own timeout per BACnet request. */
  bacnetTimeoutMs: number;
  /** Where broadcast Who-Is goes (BACNET_BROADCAST_ADDRESS). */
  broadcastAddress: string;
}

export interface SiteOperations {
  facts(): SiteFacts;
  status(): Promise<StatusResponse>;
  syncLog(limit: number, failuresOnly: boolean): Promise<SyncLogEntryView[]>;
  meters(): Promise<MetersResponse>;
  readings(q: ReadingsQuery): Promise<ReadingsResponse>;
  startCollection(reason: string): Promise<CollectionView>;
  stopCollection(reason: string): Promise<CollectionView>;
  /** Runs a sync now (after one in progress) and answers with its result. */
  syncNow(): Promise<SyncNowResponse>;
  deadLetters(limit: number): Promise<DeadLettersResponse>;
  /** All dead letters when ids is undefined. */
  retryDeadLetters(ids: number[] | undefined): Promise<RetryDeadLettersResponse>;
  /** Who-Is through the agent's own BACnet adapter; throws when the agent has none. */
  discover(o: DiscoverOptions): Promise<DiscoveredDevice[]>;
  readProperty(r: ReadPropertyRequest): Promise<RawReadResult>;
}
