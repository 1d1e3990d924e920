import type { Knex } from 'knex';
import { AlertStateRepository } from './alert-state-repository.js';
import { OutboxRepository } from './outbox-repository.js';
import { RuleInputsRepository } from './rule-inputs-repository.js';
import { RulesRepository } from './rules-repository.js';

export type { AlertRow } from './alert-state-repository.js';
export type { NotificationRow } from './outbox-repository.js';
export type { RuleRow } from './rules-repository.js';

/**
 * All SQL of alerts, one repository per aggregate on one connection pool: `rules` (alert_rules), `alerts` (alerts and
 * their alert_events), `outbox` (notifications) and `inputs` (what the rules look at: sites, heartbeats, readings).
 */
export class AlertsRepository {
  readonly rules: RulesRepository;
  readonly alerts: AlertStateRepository;
  readonly outbox: OutboxRepository;
  readonly inputs: RuleInputsRepository;

  constructor(private readonly knex: Knex) {
    this.rules = new RulesRepository(knex);
    this.alerts = new AlertStateRepository(knex);
    this.outbox = new OutboxRepository(knex);
    this.inputs = new RuleInputsRepository(knex);
  }

  /** Whether the central database answers (the engine's database-down check). */
  async ping(): Promise<void> {
    await this.knex.raw('SELECT 1');
  }
}
