import type { Logger } from '@meterit/shared/node';
import type { RuleRow } from './alerts-repository.js';
import type { Clock } from '../../clock.js';
import { DatabaseWatch } from './database-watch.js';
import { EvaluationPass, type EvaluationDeps } from './evaluation-pass.js';
import { BUILTIN_RULES } from './rule-catalog.js';

/**
 * Evaluates every enabled rule on its own schedule (ALERT_EVAL_INTERVAL_SECONDS), independent of any browser or
 * assistant: the schedule is here, one rule's evaluation in `evaluation-pass.ts`, and the watch on its own database
 * (whose alert lives in memory until the database is back) in `database-watch.ts`.
 */
export class AlertEngine {
  private timer: unknown;
  private running = false;
  private stopped = true;
  private ticking: Promise<void> | undefined;
  private previous: Date;
  readonly startedAt: Date;
  /** The last rules read, kept for when the database is gone. */
  private cachedRules: RuleRow[] = [];
  private readonly pass: EvaluationPass;
  private readonly database: DatabaseWatch;

  constructor(private readonly deps: EvaluationDeps & { clock: Clock; logger: Logger }) {
    this.startedAt = deps.clock.now();
    this.previous = this.startedAt;
    this.pass = new EvaluationPass(deps);
    this.database = new DatabaseWatch(deps);
  }

  /** Seed the built-in rules (once per database). */
  async init(): Promise<void> {
    for (const b of BUILTIN_RULES) await this.deps.repo.rules.ensureBuiltin(b.kind, b.name, b.severity);
    this.cachedRules = await this.deps.repo.rules.list({ enabledOnly: true });
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
    this.deps.logger.info('alert engine started', { interval_s: this.deps.config.evalIntervalSeconds });
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.deps.clock.setTimeout(() => {
      void this.tick().finally(() => this.schedule());
    }, this.deps.config.evalIntervalSeconds * 1000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.deps.clock.clearTimeout(this.timer);
    await this.ticking;
  }

  /** One evaluation of every rule, then the due deliveries. Never throws; concurrent calls share one run. */
  tick(): Promise<void> {
    if (this.running && this.ticking) return this.ticking;
    this.running = true;
    const run = this.tickOnce()
      .catch((err: unknown) => {
        this.deps.logger.error('alert evaluation failed', { err: err instanceof Error ? err.message : String(err) });
      })
      .finally(() => {
        this.running = false;
      });
    this.ticking = run;
    return run;
  }

  private async tickOnce(): Promise<void> {
    const now = this.deps.clock.now();
    const databaseRule = this.cachedRules.find((r) => r.kind === 'database_down');
    if (!(await this.database.check(now, databaseRule))) return;
    const rules = await this.deps.repo.rules.list({ enabledOnly: true });
    this.cachedRules = rules;
    for (const rule of rules) {
      if (rule.kind === 'database_down') continue;
      try {
        await this.pass.run(rule, now, this.previous, this.startedAt);
      } catch (err) {
        this.deps.logger.warn('rule evaluation failed', {
          rule_id: rule.id,
          kind: rule.kind,
          err: err instanceof Error ? err.message : String(err),
        });
      }
    }
    this.previous = now;
    await this.deps.notifier.deliverDue();
  }
}
