import type { Knex } from 'knex';
import {
  HISTORY_KINDS,
  type HeartbeatRequest,
  type HistoryKind,
  type SiteHistoryEvent,
  type SiteHistoryResponse,
} from '@meterit/shared';
import { SiteHistoryRepository, type NewSiteEvent, type SiteEventKind } from './site-history-repository.js';
import type { SiteDirectory } from './site-directory.js';

/**
 * The events a heartbeat reports: the agent's start and the last start/stop of collection, each at the agent's
 * time of it moved onto the server's clock by the heartbeat's offset (and never after the heartbeat itself).
 */
export function heartbeatEvents(hb: HeartbeatRequest, receivedAt: Date, clockOffsetMs: number): NewSiteEvent[] {
  const offset = Number.isFinite(clockOffsetMs) ? clockOffsetMs : 0;
  const onServer = (agentAt: Date) => new Date(Math.min(agentAt.getTime() + offset, receivedAt.getTime()));
  const events: NewSiteEvent[] = [];
  if (hb.agent_started_at) {
    const agentAt = new Date(hb.agent_started_at);
    events.push({ kind: 'agent_started', agentAt, at: onServer(agentAt), detail: { version: hb.agent_version } });
  }
  if (hb.collection?.changed_at) {
    const agentAt = new Date(hb.collection.changed_at);
    events.push({
      kind: hb.collecting ? 'collection_started' : 'collection_stopped',
      agentAt,
      at: onServer(agentAt),
      detail: { reason: hb.collection.reason },
    });
  }
  return events;
}

const SITE_EVENT_KINDS: Record<'collection' | 'agent', SiteEventKind[]> = {
  collection: ['collection_stopped', 'collection_started'],
  agent: ['agent_started'],
};

/** Newest first; ties keep a stable order by id. */
const newestFirst = (a: SiteHistoryEvent, b: SiteHistoryEvent) => b.at.localeCompare(a.at) || b.id.localeCompare(a.id);

/** One site's timeline from the tables that keep each kind of event. */
export class SiteHistory {
  private readonly repo: SiteHistoryRepository;

  constructor(
    knex: Knex,
    private readonly sites: SiteDirectory,
  ) {
    this.repo = new SiteHistoryRepository(knex);
  }

  async history(
    siteId: number,
    q: { from: Date; to: Date; kinds?: HistoryKind[] | undefined; limit: number; offset: number },
    now = new Date(),
  ): Promise<SiteHistoryResponse> {
    await this.sites.status(siteId);
    const kinds = new Set<HistoryKind>(q.kinds ?? HISTORY_KINDS);
    // Each source gives at most the events this page could need; the merge keeps the newest of them.
    const need = q.offset + q.limit + 1;
    const events: SiteHistoryEvent[] = [];
    const siteKinds = [...(kinds.has('collection') ? SITE_EVENT_KINDS.collection : [])].concat(
      kinds.has('agent') ? SITE_EVENT_KINDS.agent : [],
    );
    const [siteEvents, keys, alerts, connectivity] = await Promise.all([
      siteKinds.length ? this.repo.siteEvents(siteId, siteKinds, q.from, q.to, need) : [],
      kinds.has('key') ? this.repo.keyEvents(siteId, q.from, q.to, need) : [],
      kinds.has('alert') ? this.repo.alertEvents(siteId, q.from, q.to, need) : [],
      kinds.has('outage') ? this.sites.connectivity(siteId, q.from, q.to, 10, now) : undefined,
    ]);
    for (const e of siteEvents) {
      const base = { id: `${e.kind}:${e.id}`, at: e.at.toISOString() };
      if (e.kind === 'agent_started')
        events.push({
          ...base,
          kind: 'agent',
          type: 'agent_started',
          version: e.detail.version ?? 'unknown',
          previous_version: e.previous_version,
          restart: e.previous_version !== null,
        });
      else events.push({ ...base, kind: 'collection', type: e.kind, reason: e.detail.reason ?? null });
    }
    const inRange = (d: Date | null): d is Date => d !== null && d >= q.from && d < q.to;
    for (const k of keys) {
      const key = { kind: 'key' as const, key_prefix: k.key_prefix, rotation: k.rotation };
      if (inRange(k.created_at))
        events.push({ ...key, id: `key-created:${k.key_prefix}`, at: k.created_at.toISOString(), type: 'key_created' });
      if (inRange(k.revoked_at))
        events.push({ ...key, id: `key-revoked:${k.key_prefix}`, at: k.revoked_at.toISOString(), type: 'key_revoked' });
    }
    for (const a of alerts) {
      const alert = {
        kind: 'alert' as const,
        alert_id: a.id,
        title: a.title,
        rule_name: a.rule_name,
        severity: a.severity,
      };
      if (inRange(a.fired_at))
        events.push({ ...alert, id: `alert-fired:${a.id}`, at: a.fired_at.toISOString(), type: 'alert_fired' });
      if (inRange(a.resolved_at))
        events.push({
          ...alert,
          id: `alert-resolved:${a.id}`,
          at: a.resolved_at.toISOString(),
          type: 'alert_resolved',
        });
    }
    for (const o of connectivity?.outages ?? []) {
      events.push({
        id: `outage:${o.from}`,
        at: o.from,
        kind: 'outage',
        type: 'uplink_outage',
        to: o.to,
        duration_s: o.duration_s,
        ongoing: o.ongoing,
        sources: o.sources,
      });
    }
    events.sort(newestFirst);
    const page = events.slice(q.offset, q.offset + q.limit);
    return {
      site_id: siteId,
      from: q.from.toISOString(),
      to: q.to.toISOString(),
      events: page,
      next_offset: events.length > q.offset + q.limit ? q.offset + q.limit : null,
    };
  }
}
