import type { Knex } from 'knex';
import type { AlertRuleInfo, AlertSeverity } from '@meterit/shared';

/** A stored rule: the wire's `AlertRuleInfo` without what is derived from it (effective values, unit, text), dates as `Date`. */
export interface RuleRow extends Omit<
  AlertRuleInfo,
  'effective_threshold' | 'unit' | 'effective_cooldown_seconds' | 'description' | 'created_at' | 'updated_at'
> {
  created_at: Date;
  updated_at: Date;
}

/** What a write sets: everything but the id, the joined names and the timestamps. */
export type RuleFields = Omit<RuleRow, 'id' | 'builtin' | 'site_name' | 'meter_name' | 'created_at' | 'updated_at'>;

const RULE_COLUMNS = `r.id, r.kind, r.builtin, r.name, r.enabled, r.severity, r.scope, r.site_id, s.name AS site_name, r.meter_id,
  m.name AS meter_name, r.data_point, r.condition, r.threshold, r.threshold_high, r.for_seconds, r.cooldown_seconds,
  r.recipients, r.webhook_url, r.created_at, r.updated_at`;
const RULE_FROM = 'alert_rules r LEFT JOIN sites s ON s.id = r.site_id LEFT JOIN meters m ON m.id = r.meter_id';

/** The values both insert and update write, in the order of their column lists (name … webhook_url). */
const writtenValues = (r: Omit<RuleFields, 'kind'>) => [
  r.name,
  r.enabled,
  r.severity,
  r.scope,
  r.site_id,
  r.meter_id,
  r.data_point,
  r.condition,
  r.threshold,
  r.threshold_high,
  r.for_seconds,
  r.cooldown_seconds,
  r.recipients,
  r.webhook_url,
];

/** The SQL of `alert_rules`: built-in and operator rules. */
export class RulesRepository {
  constructor(private readonly knex: Knex) {}

  async ensureBuiltin(kind: string, name: string, severity: AlertSeverity): Promise<void> {
    await this.knex.raw(
      `INSERT INTO alert_rules (kind, builtin, name, severity, scope) VALUES (?, true, ?, ?, 'all')
       ON CONFLICT (kind) WHERE builtin DO NOTHING`,
      [kind, name, severity],
    );
  }

  async list(opts: { enabledOnly?: boolean; ids?: number[] } = {}): Promise<RuleRow[]> {
    const { rows } = await this.knex.raw<{ rows: RuleRow[] }>(
      `SELECT ${RULE_COLUMNS} FROM ${RULE_FROM}
        WHERE (r.enabled OR NOT ?) AND (?::int[] IS NULL OR r.id = ANY(?::int[]))
        ORDER BY r.builtin DESC, r.id`,
      [opts.enabledOnly ?? false, opts.ids ?? null, opts.ids ?? null] as unknown as Knex.RawBinding[],
    );
    return rows;
  }

  async get(id: number): Promise<RuleRow | undefined> {
    return (await this.list({ ids: [id] }))[0];
  }

  async delete(id: number): Promise<void> {
    await this.knex.raw('DELETE FROM alert_rules WHERE id = ? AND NOT builtin', [id]);
  }

  async insert(r: RuleFields, userId: number | null): Promise<number> {
    const { rows } = await this.knex.raw<{ rows: { id: number }[] }>(
      `INSERT INTO alert_rules (kind, name, enabled, severity, scope, site_id, meter_id, data_point, condition, threshold, threshold_high,
                                for_seconds, cooldown_seconds, recipients, webhook_url, created_by, updated_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::text[], ?, (SELECT id FROM users WHERE id = ?), (SELECT id FROM users WHERE id = ?)) RETURNING id`,
      [r.kind, ...writtenValues(r), userId, userId] as unknown as Knex.RawBinding[],
    );
    return (rows[0] as { id: number }).id;
  }

  async update(id: number, r: Omit<RuleFields, 'kind'>, userId: number | null): Promise<void> {
    await this.knex.raw(
      `UPDATE alert_rules SET name = ?, enabled = ?, severity = ?, scope = ?, site_id = ?, meter_id = ?, data_point = ?, condition = ?,
              threshold = ?, threshold_high = ?, for_seconds = ?, cooldown_seconds = ?, recipients = ?::text[], webhook_url = ?,
              updated_by = (SELECT id FROM users WHERE id = ?), updated_at = now()
        WHERE id = ?`,
      [...writtenValues(r), userId, id] as unknown as Knex.RawBinding[],
    );
  }
}
