import type { Knex } from 'knex';

export interface MeterStatus {
  meterExternalId: string;
  lastSuccessAt: Date | null;
  lastErrorAt: Date | null;
  lastErrorCode: string | null;
  lastError: string | null;
  consecutiveFailures: number;
  lastResponseMs: number | null;
}

interface Row {
  meter_external_id: string;
  last_success_at: Date | null;
  last_error_at: Date | null;
  last_error_code: string | null;
  last_error: string | null;
  consecutive_failures: number;
  last_response_ms: number | null;
}

/** Per-meter connectivity: last success, last error, consecutive failures, response time. */
export class MeterStatusRepository {
  constructor(private readonly knex: Knex) {}

  async recordSuccess(meterExternalId: string, at: Date, responseMs: number, partialError?: { code: string; message: string }): Promise<void> {
    const row = {
      meter_external_id: meterExternalId,
      last_success_at: at,
      consecutive_failures: 0,
      last_response_ms: Math.round(responseMs),
      updated_at: at,
      ...(partialError ? { last_error_at: at, last_error_code: partialError.code, last_error: partialError.message } : {}),
    };
    await this.knex('meter_status').insert(row).onConflict('meter_external_id').merge();
    await this.knex('meters').where({ external_id: meterExternalId }).update({ last_reading_at: at });
  }

  async recordFailure(meterExternalId: string, at: Date, code: string, message: string): Promise<void> {
    await this.knex.raw(
      `INSERT INTO meter_status (meter_external_id, last_error_at, last_error_code, last_error, consecutive_failures, updated_at)
       VALUES (?, ?, ?, ?, 1, ?)
       ON CONFLICT (meter_external_id) DO UPDATE SET
         last_error_at = EXCLUDED.last_error_at, last_error_code = EXCLUDED.last_error_code,
         last_error = EXCLUDED.last_error, updated_at = EXCLUDED.updated_at,
         consecutive_failures = meter_status.consecutive_failures + 1`,
      [meterExternalId, at, code, message, at],
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
    }));
  }
}
