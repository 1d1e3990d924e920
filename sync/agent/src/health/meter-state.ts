import type { MeterConfig } from '@meterit/shared';
import { countMeterStates, type MeterState, type StatusResponse } from '@meterit/shared/site-contracts';
import type { MeterStatus, PointStatus } from '../collector/meter-status-repository.js';

// The rules for a meter's and a point's state. Pure: the runtime's status, the heartbeat, the
// dashboard view, the MCP tools and the metrics all judge a meter here, and nowhere else.

/** Configured meters by state (the local API's `meters`). */
export type MeterCounts = StatusResponse['meters'];

/** The meters by state: how many, and their names (for the findings). */
export interface MeterTally {
  counts: MeterCounts;
  names: Record<MeterState, string[]>;
}

/** A meter's state as the technician sees it; `slowMs` is METER_SLOW_MS. */
export function meterState(s: MeterStatus | undefined, slowMs: number): MeterState {
  if (s?.state === 'wrong_device') return 'wrong_device';
  if (!s?.lastSuccessAt) return 'never_answered';
  if (s.consecutiveFailures > 0) return 'failing';
  if (s.pointsFailing > 0) return 'degraded';
  if (s.lastResponseMs !== null && s.lastResponseMs >= slowMs) return 'slow';
  return 'ok';
}

/** A point fails while it failed on its last polls, unless its meter is the wrong device (then nothing was read). */
export function pointFailing(
  meter: MeterState,
  p: PointStatus | undefined,
): (PointStatus & { lastErrorCode: string; lastError: string }) | null {
  if (meter === 'wrong_device' || !p || p.consecutiveFailures <= 0 || !p.lastErrorCode || !p.lastError) return null;
  return p as PointStatus & { lastErrorCode: string; lastError: string };
}

/** Failing points count for a meter that answers in part (or not at all); an ok meter has none. */
export function pointsFailing(state: MeterState, s: MeterStatus | undefined): number {
  return state === 'wrong_device' || state === 'degraded' || state === 'failing' ? (s?.pointsFailing ?? 0) : 0;
}

/** The one count of meters: every configured meter once, by its state. */
export function tallyMeters(
  meters: readonly MeterConfig[],
  statuses: readonly MeterStatus[],
  slowMs: number,
): MeterTally {
  const byId = new Map(statuses.map((s) => [s.meterExternalId, s]));
  const names: MeterTally['names'] = {
    ok: [],
    slow: [],
    failing: [],
    never_answered: [],
    degraded: [],
    wrong_device: [],
  };
  const states = meters.map((m) => {
    const st = meterState(byId.get(m.id), slowMs);
    names[st].push(m.name);
    return st;
  });
  const counts = countMeterStates(states);
  return { counts, names };
}

/**
 * The heartbeat's three figures from the same count: a meter answers (ok, slow, degraded), fails (it
 * answered once and is silent now, or another device answers in its place), or has never answered.
 */
export function heartbeatMeterCounts(c: MeterCounts): {
  configured: number;
  ok: number;
  failing: number;
  never_answered: number;
} {
  return {
    configured: c.configured,
    ok: c.ok + c.slow + c.degraded,
    failing: c.failing + c.wrong_device,
    never_answered: c.never_answered,
  };
}

/** Per meter: 1 when it answers (the `meterit_meter_up` gauge). */
export function meterUp(state: MeterState): boolean {
  return state === 'ok' || state === 'slow' || state === 'degraded';
}
