import type { ReadingsService } from '../readings/readings-service.js';
import type { AlertsConfig } from './alerts-config.js';
import { fmtMinutes } from './alert-format.js';
import type { AlertRow, AlertsRepository, RuleRow } from './alerts-repository.js';
import { effectiveCooldownSeconds, effectiveThreshold } from './effective-rule.js';
import type { Observation } from './evaluation.js';
import { evaluateRule } from './evaluators.js';
import type { Notifier } from './notifier.js';
import type { ResponseCounter } from './response-counter.js';

export interface EvaluationDeps {
  repo: AlertsRepository;
  readings: ReadingsService;
  counter: ResponseCounter;
  notifier: Notifier;
  config: AlertsConfig;
}

/**
 * One rule's evaluation and what follows from it: each subject's alert moves pending → firing → resolved (or is
 * cancelled while pending), with its events, and the e-mail of each firing and resolving (or a suppressed one within the
 * cooldown) goes to the outbox.
 */
export class EvaluationPass {
  constructor(private readonly deps: EvaluationDeps) {}

  /** `previous`: when the previous evaluation ran; `startedAt`: when the engine started. */
  async run(rule: RuleRow, now: Date, previous: Date, startedAt: Date): Promise<void> {
    const { repo, readings, counter, config } = this.deps;
    const threshold = effectiveThreshold(rule, config);
    if (threshold === null) return;
    const result = await evaluateRule(rule, threshold, {
      inputs: repo.inputs,
      readings,
      counter,
      config,
      now,
      previous,
      startedAt,
    });
    const open = new Map((await repo.alerts.open(rule.id)).map((a) => [a.subject_key, a]));
    for (const o of result.observations) {
      const a = open.get(o.key);
      open.delete(o.key);
      if (o.active) {
        const held = now.getTime() - o.since.getTime() >= rule.for_seconds * 1000;
        if (!a) {
          const id = await this.insert(rule, o, held ? 'firing' : 'pending', now);
          await repo.alerts.addEvent(
            id,
            now,
            held ? 'firing' : 'pending',
            held ? o.title : `condition met; fires if it holds for ${fmtMinutes(rule.for_seconds * 1000)}`,
            o.value,
          );
          if (held) await this.notify(id, rule, 'firing', now);
        } else if (a.state === 'pending' && held) {
          await repo.alerts.update(a.id, {
            state: 'firing',
            firedAt: now,
            title: o.title,
            detail: o.detail,
            value: o.value,
            threshold: o.threshold,
            now,
          });
          await repo.alerts.addEvent(a.id, now, 'firing', o.title, o.value);
          await this.notify(a.id, rule, 'firing', now);
        } else {
          await repo.alerts.update(a.id, {
            value: o.value,
            threshold: o.threshold,
            detail: o.detail,
            ...(a.state === 'pending' ? { title: o.title } : {}),
            now,
          });
        }
      } else if (o.transient) {
        if (a) {
          await this.resolve(a, rule, now, o);
        } else {
          // Reported by a heartbeat between two evaluations and already over: the operator still hears of it, once each way.
          const id = await this.insert(rule, o, 'firing', now);
          await repo.alerts.addEvent(
            id,
            now,
            'firing',
            `${o.title} (reported by a heartbeat since the last evaluation)`,
            o.value,
          );
          await this.notify(id, rule, 'firing', now);
          const fresh = await repo.alerts.get(id);
          if (fresh) await this.resolve(fresh, rule, now);
        }
      } else if (a) {
        await this.resolve(a, rule, now, o);
      }
    }
    for (const a of open.values()) if (!result.hold.has(a.subject_key)) await this.resolve(a, rule, now);
  }

  private insert(rule: RuleRow, o: Observation, state: 'pending' | 'firing', now: Date): Promise<number> {
    return this.deps.repo.alerts.insert({
      ruleId: rule.id,
      subjectKey: o.key,
      siteId: o.siteId,
      meterId: o.meterId,
      state,
      severity: rule.severity,
      title: o.title,
      detail: o.detail,
      value: o.value,
      threshold: o.threshold,
      unit: o.unit,
      since: o.since,
      now,
    });
  }

  private async resolve(a: AlertRow, rule: RuleRow, now: Date, o?: Observation): Promise<void> {
    const { alerts } = this.deps.repo;
    await alerts.update(a.id, { state: 'resolved', resolvedAt: now, ...(o ? { value: o.value } : {}), now });
    if (a.state === 'pending') {
      await alerts.addEvent(
        a.id,
        now,
        'cancelled',
        'the condition cleared before it had held long enough; nothing was sent',
        o?.value ?? null,
      );
      return;
    }
    await alerts.addEvent(
      a.id,
      now,
      'resolved',
      o
        ? `resolved: value now ${o.value ?? '—'}${o.unit ? ` ${o.unit}` : ''}`
        : 'resolved: the subject no longer meets the condition',
      o?.value ?? null,
    );
    await this.notify(a.id, rule, 'resolved', now);
  }

  private async notify(alertId: number, rule: RuleRow, event: 'firing' | 'resolved', now: Date): Promise<void> {
    const { repo, notifier, config } = this.deps;
    const alert = await repo.alerts.get(alertId);
    if (!alert) return;
    let suppressed: string | null = null;
    if (event === 'firing') {
      const cooldownMs = effectiveCooldownSeconds(rule, config) * 1000;
      const last = cooldownMs > 0 ? await repo.outbox.lastFiringSent(rule.id, alert.subject_key, alert.id) : undefined;
      if (last && now.getTime() - last.getTime() < cooldownMs) {
        suppressed = `cooldown: the same alert was e-mailed at ${last.toISOString()}, less than ${fmtMinutes(cooldownMs)} ago`;
      }
    } else if (await repo.outbox.firingSuppressed(alert.id)) {
      suppressed = 'cooldown: its firing e-mail was suppressed too';
    }
    await notifier.enqueueAlert(alert, rule, event, suppressed);
    await repo.alerts.addEvent(
      alertId,
      now,
      suppressed ? 'notification-suppressed' : 'notified',
      suppressed ??
        `${event} e-mail to ${notifier.recipientsFor(rule).join(', ') || '(no recipients)'}${rule.webhook_url ? ' and webhook' : ''}`,
    );
  }
}
