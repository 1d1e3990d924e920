import type { Knex } from 'knex';

export type SiteEventKind = 'collection_stopped' | 'collection_started' | 'agent_started';

export interface NewSiteEvent {
  kind: SiteEventKind;
  /** The agent's own time of the change (the event's identity, repeated by every heartbeat). */
  agentAt: Date;
  /** The same on the server's clock. */
  at: Date;
  detail: { reason?: string | null; version?: string };
}

export interface SiteEventRow {
  id: string;
  kind: SiteEventKind;
  at: Date;
  detail: { reason?: string | null; version?: string };
  previous_version: string | null;
}

export interface KeyEventRow {
  key_prefix: string;
  created_at: Date;
  revoked_at: Date | null;
  rotation: boolean;
}

export interface AlertEventRow {
  id: number;
  title: string;
  rule_name: string;
  severity: 'critical' | 'warning' | 'info';
  fired_at: Date;
  resolved_at: Date | null;
}

/** All SQL of a site's history: the events the heartbeat ingest records, and the key and alert times read back. */
export class SiteHistoryRepository {
  constructor(private readonly knex: Knex) {}

  /** Insert each event once: a heartbeat that repeats a known change adds nothing. */
  async record(siteId: number, events: NewSiteEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.knex.raw(
      `INSERT INTO site_events (site_id, kind, agent_at, at, detail)
       SELECT ?, e.kind, e.agent_at, e.at, e.detail
         FROM jsonb_to_recordset(?::jsonb) AS e(kind varchar, agent_at timestamptz, at timestamptz, detail jsonb)
       ON CONFLICT (site_id, kind, agent_at) DO NOTHING`,
      [
        siteId,
        JSON.stringify(
          events.map((e) => ({
            kind: e.kind,
            agent_at: e.agentAt.toISOString(),
            at: e.at.toISOString(),
            detail: e.detail,
          })),
        ),
      ],
    );
  }

  /** Newest first; each agent start with the version that ran before it (also from before the range). */
  async siteEvents(siteId: number, kinds: SiteEventKind[], from: Date, to: Date, max: number): Promise<SiteEventRow[]> {
    const { rows } = await this.knex.raw<{ rows: SiteEventRow[] }>(
      `SELECT e.id::text AS id, e.kind, e.at, e.detail,
              CASE WHEN e.kind = 'agent_started' THEN (
                SELECT p.detail->>'version' FROM site_events p
                 WHERE p.site_id = e.site_id AND p.kind = 'agent_started' AND p.at < e.at
                 ORDER BY p.at DESC LIMIT 1) END AS previous_version
         FROM site_events e
        WHERE e.site_id = ? AND e.kind = ANY(?::varchar[]) AND e.at >= ? AND e.at < ?
        ORDER BY e.at DESC, e.id DESC LIMIT ?`,
      [siteId, kinds, from, to, max] as unknown as Knex.RawBinding[],
    );
    return rows;
  }

  /** Keys created or revoked in the range, newest change first; `rotation`: the site had a key before this one. */
  async keyEvents(siteId: number, from: Date, to: Date, max: number): Promise<KeyEventRow[]> {
    const { rows } = await this.knex.raw<{ rows: KeyEventRow[] }>(
      `SELECT k.key_prefix, k.created_at, k.revoked_at,
              EXISTS (SELECT 1 FROM site_api_keys o WHERE o.site_id = k.site_id AND o.created_at < k.created_at) AS rotation
         FROM site_api_keys k
        WHERE k.site_id = ? AND ((k.created_at >= ? AND k.created_at < ?) OR (k.revoked_at >= ? AND k.revoked_at < ?))
        ORDER BY GREATEST(k.created_at, COALESCE(k.revoked_at, k.created_at)) DESC LIMIT ?`,
      [siteId, from, to, from, to, max],
    );
    return rows;
  }

  /** The site's alerts that fired or resolved in the range (pending ones that never fired are not history). */
  async alertEvents(siteId: number, from: Date, to: Date, max: number): Promise<AlertEventRow[]> {
    const { rows } = await this.knex.raw<{ rows: AlertEventRow[] }>(
      `SELECT a.id::int AS id, a.title, r.name AS rule_name, a.severity, a.fired_at, a.resolved_at
         FROM alerts a JOIN alert_rules r ON r.id = a.rule_id
        WHERE a.site_id = ? AND a.fired_at IS NOT NULL
          AND ((a.fired_at >= ? AND a.fired_at < ?) OR (a.resolved_at >= ? AND a.resolved_at < ?))
        ORDER BY GREATEST(a.fired_at, COALESCE(a.resolved_at, a.fired_at)) DESC LIMIT ?`,
      [siteId, from, to, from, to, max],
    );
    return rows;
  }
}
