import type { HeartbeatMeterState, MeterConfig } from '@meterit/shared';
import type { MeterStatus } from './meter-status-repository.js';

/**
 * Each configured meter's state for the heartbeat, from what the collector recorded: `never_answered` (no success
 * yet), `not_answering` (failing since its last success), else `ok`. The one place that maps the agent's meter
 * status to the heartbeat's states, so `degraded` (points failing) and `wrong_device` slot in here.
 */
// The client system refuses a longer error text (and with it the whole heartbeat).
const MAX_ERROR_CHARS = 500;
const short = (text: string | null | undefined) => (text ? (text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS - 1)}…` : text) : null);

export function heartbeatMeterStates(meters: readonly MeterConfig[], statuses: readonly MeterStatus[]): HeartbeatMeterState[] {
  const byId = new Map(statuses.map((s) => [s.meterExternalId, s]));
  return meters.map((m) => {
    const s = byId.get(m.id);
    const lastSuccessAt = s?.lastSuccessAt ? s.lastSuccessAt.toISOString() : null;
    const failing = (s?.consecutiveFailures ?? 0) > 0;
    if (!s?.lastSuccessAt) {
      return { external_id: m.id, state: 'never_answered', since: null, last_success_at: null, error: short(s?.lastError), points_failing: failing ? m.data_points.length : 0 };
    }
    if (failing) {
      // It was answering at its last success: it has been failing since the poll after it.
      return { external_id: m.id, state: 'not_answering', since: lastSuccessAt, last_success_at: lastSuccessAt, error: short(s.lastError), points_failing: m.data_points.length };
    }
    return { external_id: m.id, state: 'ok', since: null, last_success_at: lastSuccessAt, error: null, points_failing: 0 };
  });
}
