import type { Knex } from 'knex';
import type { MeterAgentState } from '@meterit/shared';

/** What one data point did on one poll. */
export type PointOutcome = { name: string; ok: true } | { name: string; ok: false; code: string; message: string };

/** One data point's record: last success, last error, and how many polls in a row it failed. */
export interface PointStatus {
  name: string;
  lastSuccessAt: Date | null;
  lastErrorAt: Date | null;
  lastErrorCode: string | null;
  lastError: string | null;
  consecutiveFailures: number;
}

export interface MeterStatus {
  meterExternalId: string;
  lastSuccessAt: Date | null;
  lastErrorAt: Date | null;
  lastErrorCode: string | null;
  lastError: string | null;
  consecutiveFailures: number;
  lastResponseMs: number | null;
  /** The state the collector decided on the last poll (null for rows from before it was stored). */
  state: MeterAgentState | null;
  stateSince: Date | null;
  /** Points that failed on the last poll. */
  pointsFailing: number;
  points: PointStatus[];
  /** For wrong_device: the configured and the answering device instance (null when it would not say). */
  expectedDeviceId: number | null;
  foundDeviceId: number | null;
}

interface StoredPoint {
  name: string;
  last_success_at: string | null;
  last_error_at: string | null;
  last_error_code: string | null;
  last_error: string | null;
  consecutive_failures: number;
}

interface Row {
  meter_external_id: string;
  last_success_at: Date | null;
  last_error_at: Date | null;
  last_error_code: string | null;
  last_error: string | null;
  consecutive_failures: number;
  last_response_ms: number | null;
  state: string | null;
  state_since: Date | null;
  points_failing: number;
  point_status: StoredPoint[] | null;
  expected_device_id: number | null;
  found_device_id: number | null;
}

const STATES: readonly string[] = ['ok', 'degraded', 'not_answering', 'never_answered', 'wrong_device'];
const date = (s: string | null): Date | null => (s ? new Date(s) : null);

/** The points' records after a poll: names in configured order, history kept for points still configured. */
function nextPoints(before: StoredPoint[], outcomes: PointOutcome[], at: Date): StoredPoint[] {
  const old = new Map(before.map((p) => [p.name, p]));
  return outcomes.map((o) => {
    const p = old.get(o.name) ?? {
      name: o.name,
      last_success_at: null,
      last_error_at: null,
      last_error_code: null,
      last_error: null,
      consecutive_failures: 0,
    };
    return o.ok
      ? { ...p, last_success_at: at.toISOString(), consecutive_failures: 0 }
      : {
          ...p,
          last_error_at: at.toISOString(),
          last_error_code: o.code,
          last_error: o.message,
          consecutive_failures: p.consecutive_failures + 1,
        };
  });
}

/**
 * Per-meter connectivity: last success, last error, consecutive failures, response time, the
 * meter's state and since when, and per data point its last success and last error.
 */
export class MeterStatusRepository {
  constructor(private readonly knex: Knex) {}

  private async current(meterExternalId: string): Promise<Row | undefined> {
    return this.knex<Row>('meter_status').where({ meter_external_id: meterExternalId }).first();
  }

  private static since(before: Row | undefined, state: MeterAgentState, at: Date): Date {
    return before?.state === state && before.state_since ? before.state_since : at;
  }

  /** The meter answered: `points` says which of its points did (a meter with failing points is degraded). */
  async recordSuccess(
    meterExternalId: string,
    at: Date,
    responseMs: number,
    partialError?: { code: string; message: string },
    points: PointOutcome[] = [],
  ): Promise<void> {
    const before = await this.current(meterExternalId);
    const failing = points.filter((p) => !p.ok).length;
    const state: MeterAgentState = failing > 0 || partialError ? 'degraded' : 'ok';
    const row = {
      meter_external_id: meterExternalId,
      last_success_at: at,
      consecutive_failures: 0,
      last_response_ms: Math.round(responseMs),
      updated_at: at,
      state,
      state_since: MeterStatusRepository.since(before, state, at),
      points_failing: failing,
      point_status: JSON.stringify(nextPoints(before?.point_status ?? [], points, at)),
      expected_device_id: null,
      found_device_id: null,
      ...(partialError
        ? { last_error_at: at, last_error_code: partialError.code, last_error: partialError.message }
        : {}),
    };
    await this.knex('meter_status').insert(row).onConflict('meter_external_id').merge();
    await this.knex('meters').where({ external_id: meterExternalId }).update({ last_reading_at: at });
  }

  /** No point of the meter answered. */
  async recordFailure(
    meterExternalId: string,
    at: Date,
    code: string,
    message: string,
    points: PointOutcome[] = [],
  ): Promise<void> {
    const before = await this.current(meterExternalId);
    const state: MeterAgentState = before?.last_success_at ? 'not_answering' : 'never_answered';
    await this.knex.raw(
      `INSERT INTO meter_status (meter_external_id, last_error_at, last_error_code, last_error, consecutive_failures, updated_at,
                                 state, state_since, points_failing, point_status, expected_device_id, found_device_id)
       VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?::jsonb, NULL, NULL)
       ON CONFLICT (meter_external_id) DO UPDATE SET
         last_error_at = EXCLUDED.last_error_at, last_error_code = EXCLUDED.last_error_code,
         last_error = EXCLUDED.last_error, updated_at = EXCLUDED.updated_at,
         consecutive_failures = meter_status.consecutive_failures + 1,
         state = EXCLUDED.state, state_since = EXCLUDED.state_since, points_failing = EXCLUDED.points_failing,
         point_status = EXCLUDED.point_status, expected_device_id = NULL, found_device_id = NULL`,
      [
        meterExternalId,
        at,
        code,
        message,
        at,
        state,
        MeterStatusRepository.since(before, state, at),
        points.length,
        JSON.stringify(nextPoints(before?.point_status ?? [], points, at)),
      ],
    );
  }

  /** Another device instance answers at the meter's address: nothing was stored for the meter. */
  async recordWrongDevice(
    meterExternalId: string,
    at: Date,
    w: { code: string; message: string; expectedDeviceId: number; foundDeviceId: number | null; points: number },
  ): Promise<void> {
    const before = await this.current(meterExternalId);
    await this.knex.raw(
      `INSERT INTO meter_status (meter_external_id, last_error_at, last_error_code, last_error, consecutive_failures, updated_at,
                                 state, state_since, points_failing, expected_device_id, found_device_id)
       VALUES (?, ?, ?, ?, 1, ?, 'wrong_device', ?, ?, ?, ?)
       ON CONFLICT (meter_external_id) DO UPDATE SET
         last_error_at = EXCLUDED.last_error_at, last_error_code = EXCLUDED.last_error_code,
         last_error = EXCLUDED.last_error, updated_at = EXCLUDED.updated_at,
         consecutive_failures = meter_status.consecutive_failures + 1,
         state = EXCLUDED.state, state_since = EXCLUDED.state_since, points_failing = EXCLUDED.points_failing,
         expected_device_id = EXCLUDED.expected_device_id, found_device_id = EXCLUDED.found_device_id`,
      [
        meterExternalId,
        at,
        w.code,
        w.message,
        at,
        MeterStatusRepository.since(before, 'wrong_device', at),
        w.points,
        w.expectedDeviceId,
        w.foundDeviceId,
      ],
    );
  }

  async list(): Promise<MeterStatus[]> {
    const rows: Row[] = await this.knex('meter_status').select('*').orderBy('meter_external_id');
    return rows.map((r) => ({
      meterExternalId: r.meter_external_id,
      lastSuccessAt: r.last_success_at,
      lastErrorAt: r.last_error_at,
      lastErrorCode: r.last_error_code,
      lastError: r.last_error,
      consecutiveFailures: r.consecutive_failures,
      lastResponseMs: r.last_response_ms,
      state: r.state && STATES.includes(r.state) ? (r.state as MeterAgentState) : null,
      stateSince: r.state_since,
      pointsFailing: r.points_failing,
      points: (r.point_status ?? []).map((p) => ({
        name: p.name,
        lastSuccessAt: date(p.last_success_at),
        lastErrorAt: date(p.last_error_at),
        lastErrorCode: p.last_error_code,
        lastError: p.last_error,
        consecutiveFailures: p.consecutive_failures,
      })),
      expectedDeviceId: r.expected_device_id,
      foundDeviceId: r.found_device_id,
    }));
  }
}
