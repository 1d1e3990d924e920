import { ErrorCode, OPERATOR_ALERT_KINDS, type AlertRuleWrite } from '@meterit/shared';
import { ApiError } from '../../errors.js';
import type { MeterDirectory } from '../meters/meter-directory.js';
import { assertSite, type AlertsActor } from './alert-access.js';
import type { RuleFields, RuleRow } from './rules-repository.js';

// What a rule write (create, edit or preview) may set, checked for consistency and for what the actor sees.

export const EMAIL = /^[^\s@,<>]+@[^\s@,<>]+$/;
export const badRequest = (message: string): ApiError => new ApiError(400, ErrorCode.VALIDATION_FAILED, message);

/** Built-in kinds for which a threshold of 0 means something (any error, any loss, fire at once): not refused here. */
const ZERO_THRESHOLD_KINDS: readonly string[] = [
  'api_error_rate',
  'database_down',
  'queue_full',
  'meter_wrong_device',
  'site_database_down',
];

/** The full rule after applying `input` to `existing` (or to nothing), checked for consistency and visibility. */
export async function resolveRule(
  input: AlertRuleWrite,
  existing: RuleRow | undefined,
  actor: AlertsActor,
  meters: MeterDirectory,
): Promise<RuleFields> {
  const kind = existing?.kind ?? input.kind;
  if (!kind) throw badRequest('kind is required: threshold, no_data or daily_energy');
  if (input.kind !== undefined && existing && input.kind !== existing.kind)
    throw badRequest(`the kind of a rule cannot change (it is ${existing.kind}); create a new rule`);
  if (!existing && !(OPERATOR_ALERT_KINDS as readonly string[]).includes(kind))
    throw badRequest(
      `only ${OPERATOR_ALERT_KINDS.join(', ')} rules can be created; the built-in rules exist already and can be edited`,
    );
  const builtin = existing?.builtin ?? false;
  const pick = <K extends keyof AlertRuleWrite & keyof RuleRow>(k: K, fallback: RuleRow[K]): RuleRow[K] =>
    input[k] !== undefined ? (input[k] as RuleRow[K]) : existing ? existing[k] : fallback;
  const name = (pick('name', '') ?? '').trim();
  if (!name) throw badRequest('name is required');
  if (
    builtin &&
    (input.scope !== undefined ||
      input.site_id !== undefined ||
      input.meter_id !== undefined ||
      input.data_point !== undefined ||
      input.condition !== undefined)
  ) {
    throw badRequest(
      'a built-in rule covers every site; only its name, threshold, severity, enabled, for_seconds, cooldown_seconds, recipients and webhook_url can change',
    );
  }
  let scope = pick('scope', 'all');
  let siteId = pick('site_id', null);
  let meterId = pick('meter_id', null);
  if (!builtin) {
    if (input.meter_id !== undefined && input.meter_id !== null && input.scope === undefined && !existing)
      scope = 'meter';
    else if (input.site_id !== undefined && input.site_id !== null && input.scope === undefined && !existing)
      scope = 'site';
    if (scope === 'meter') {
      if (meterId === null) throw badRequest('meter_id is required when scope is meter');
      const m = await meters.get(meterId, actor.siteIds).catch(() => undefined);
      if (!m) throw new ApiError(404, ErrorCode.NOT_FOUND, `no meter with id ${meterId}`);
      siteId = m.site_id;
    } else if (scope === 'site') {
      if (siteId === null) throw badRequest('site_id is required when scope is site');
      assertSite(actor, siteId);
      meterId = null;
    } else {
      if (actor.siteIds !== null)
        throw new ApiError(
          403,
          ErrorCode.FORBIDDEN,
          'you see only some sites, so your rules must name a site or a meter (scope site or meter)',
        );
      siteId = null;
      meterId = null;
    }
  }
  const dataPoint = builtin ? null : pick('data_point', null)?.trim() || null;
  const condition = builtin ? null : pick('condition', null);
  const threshold = pick('threshold', null);
  const thresholdHigh = pick('threshold_high', null);
  if (kind === 'threshold') {
    if (!dataPoint) throw badRequest('data_point is required for a threshold rule (e.g. current_kw)');
    if (!condition) throw badRequest('condition is required for a threshold rule: above, below or outside');
    if (threshold === null) throw badRequest('threshold is required');
    if (condition === 'outside' && (thresholdHigh === null || thresholdHigh <= threshold))
      throw badRequest('outside needs threshold (low) and threshold_high (high), with threshold_high above threshold');
  } else if (!builtin && threshold === null) {
    throw badRequest(
      kind === 'no_data'
        ? 'threshold is required: the minutes without a new reading'
        : 'threshold is required: the kWh per day',
    );
  }
  if ((kind === 'no_data' || builtin) && threshold !== null && threshold <= 0 && !ZERO_THRESHOLD_KINDS.includes(kind))
    throw badRequest('threshold must be above 0');
  if ((kind === 'meter_wrong_device' || kind === 'site_database_down') && threshold !== null && threshold < 0)
    throw badRequest('threshold must be 0 (fire at once) or more minutes');
  const recipients = pick('recipients', []).map((a) => a.trim());
  if (recipients.length > 20 || !recipients.every((a) => EMAIL.test(a)))
    throw badRequest('recipients must be at most 20 e-mail addresses');
  return {
    kind,
    name,
    enabled: pick('enabled', true),
    severity: pick('severity', 'warning'),
    scope,
    site_id: siteId,
    meter_id: meterId,
    data_point: dataPoint,
    condition,
    threshold,
    threshold_high: condition === 'outside' ? thresholdHigh : null,
    for_seconds: pick('for_seconds', 0),
    cooldown_seconds: pick('cooldown_seconds', null),
    recipients,
    webhook_url: pick('webhook_url', null),
  };
}
