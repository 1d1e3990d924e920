import type { HeartbeatMeterState, MeterAgentState, MeterConfig } from '@meterit/shared';
import type { MeterStatus } from '../collector/meter-status-repository.js';

// The client system refuses a longer error text (and with it the whole heartbeat).
const MAX_ERROR_CHARS = 500;
const short = (text: string | null | undefined) =>
  text ? (text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS - 1)}…` : text) : null;

/** The meter's state from its status row; rows written before states were stored are judged by their counters. */
export function agentMeterState(s: MeterStatus | undefined): MeterAgentState {
  if (!s) return 'never_answered';
  if (s.state) return s.state;
  if (!s.lastSuccessAt) return 'never_answered';
  return s.consecutiveFailures > 0 ? 'not_answering' : 'ok';
}

/**
 * Each configured meter's state for the heartbeat (`meter_states`), from what the collector recorded:
 * `wrong_device` (another device instance answers at its address, both ids), `never_answered`,
 * `not_answering` (failing since it last answered), `degraded` (answers, some points fail: their errors),
 * else `ok`. The one place that maps the agent's meter status to the heartbeat's states.
 */
export function heartbeatMeterStates(
  meters: readonly MeterConfig[],
  statuses: readonly MeterStatus[],
): HeartbeatMeterState[] {
  const byId = new Map(statuses.map((s) => [s.meterExternalId, s]));
  return meters.map((m) => {
    const s = byId.get(m.id);
    const state = agentMeterState(s);
    const failingPoints = s?.points.filter((p) => p.consecutiveFailures > 0) ?? [];
    const error =
      state === 'ok'
        ? null
        : state === 'degraded' && failingPoints.length > 0
          ? failingPoints.map((p) => `${p.name}: ${p.lastError ?? p.lastErrorCode ?? 'failed'}`).join('; ')
          : (s?.lastError ?? null);
    return {
      external_id: m.id,
      state,
      since: s?.stateSince ? s.stateSince.toISOString() : null,
      last_success_at: s?.lastSuccessAt ? s.lastSuccessAt.toISOString() : null,
      error: short(error),
      points_failing: state === 'ok' ? 0 : (s?.pointsFailing ?? 0),
      ...(state === 'wrong_device'
        ? { expected_device_id: s?.expectedDeviceId ?? m.bacnet_device_id, found_device_id: s?.foundDeviceId ?? null }
        : {}),
    };
  });
}
