import type { Knex } from 'knex';
import type { EnergyInterval } from '@meterit/shared';
import { BUCKET_ORIGIN } from '../readings/buckets.js';
import type { SeriesKey } from './counter-steps-repository.js';

/** PostgreSQL's name for each interval: date_trunc's field and the step of the calendar arithmetic. */
const UNIT: Record<EnergyInterval, 'day' | 'week' | 'month'> = { day: 'day', week: 'week', month: 'month' };

export interface PowerSlotRow {
  meter_id: number;
  data_point: string;
  /** Start of the 15-minute interval. */
  slot: Date;
  /** Average of the good readings in it, in the data point's own unit. */
  value: number;
}

/**
 * Calendar SQL of the energy views (days, ISO weeks from Monday and months in the viewer's time zone, DST-aware)
 * and the 15-minute averages of power data points. Counter steps come from CounterStepsRepository.
 */
export class EnergyRepository {
  constructor(private readonly knex: Knex) {}

  /** Interval starts covering [from, to) plus the end of the last one. */
  async boundaries(from: Date, to: Date, interval: EnergyInterval, tz: string): Promise<Date[]> {
    const unit = UNIT[interval];
    const step = `1 ${unit}`;
    const { rows } = await this.knex.raw<{ rows: { start: Date }[] }>(
      `SELECT (d AT TIME ZONE ?) AS start
         FROM generate_series(date_trunc(?, ?::timestamptz, ?) AT TIME ZONE ?,
                              (date_trunc(?, ?::timestamptz - interval '1 microsecond', ?) AT TIME ZONE ?) + ?::interval,
                              ?::interval) AS d`,
      [tz, unit, from, tz, tz, unit, to, tz, tz, step, step],
    );
    return rows.map((r) => r.start);
  }

  /** The start of the interval `back` intervals before the one holding `at`. */
  async intervalStart(at: Date, interval: EnergyInterval, tz: string, back: number): Promise<Date> {
    const unit = UNIT[interval];
    const { rows } = await this.knex.raw<{ rows: { start: Date }[] }>(
      `SELECT ((date_trunc(?, ?::timestamptz, ?) AT TIME ZONE ?) - ?::interval) AT TIME ZONE ? AS start`,
      [unit, at, tz, tz, `${back} ${unit}`, tz],
    );
    return (rows[0] as { start: Date }).start;
  }

  /**
   * [from, to) moved back by `count` intervals on the local calendar, so interval i of the result lines up with
   * interval i of [from, to): the same weekday and time of day, the same day of the month (clamped at month ends).
   */
  async shiftBack(
    from: Date,
    to: Date,
    count: number,
    interval: EnergyInterval,
    tz: string,
  ): Promise<{ from: Date; to: Date }> {
    return this.shiftLocal(from, to, `${count} ${UNIT[interval]}`, tz);
  }

  /** The day, ISO week, month or year holding `at` in `tz`: [its start, the next one's start). */
  async calendarPeriod(
    at: Date,
    unit: 'day' | 'week' | 'month' | 'year',
    tz: string,
  ): Promise<{ from: Date; to: Date }> {
    const { rows } = await this.knex.raw<{ rows: { from: Date; to: Date }[] }>(
      `SELECT date_trunc(?, ?::timestamptz, ?) AS "from",
              ((date_trunc(?, ?::timestamptz, ?) AT TIME ZONE ?) + ?::interval) AT TIME ZONE ? AS "to"`,
      [unit, at, tz, unit, at, tz, tz, `1 ${unit}`, tz],
    );
    return rows[0] as { from: Date; to: Date };
  }

  /** [from, to) moved back by `by` (a PostgreSQL interval) on the local calendar of `tz`. */
  async shiftLocal(from: Date, to: Date, by: string, tz: string): Promise<{ from: Date; to: Date }> {
    const { rows } = await this.knex.raw<{ rows: { from: Date; to: Date }[] }>(
      `SELECT ((?::timestamptz AT TIME ZONE ?) - ?::interval) AT TIME ZONE ? AS "from",
              ((?::timestamptz AT TIME ZONE ?) - ?::interval) AT TIME ZONE ? AS "to"`,
      [from, tz, by, tz, to, tz, by, tz],
    );
    return rows[0] as { from: Date; to: Date };
  }

  /**
   * 15-minute averages (aligned like every other 15-minute bucket) of the given power data points over
   * [from, to). Readings whose quality is not good are left out: a faulty spike must not become the peak.
   */
  async powerSlots(series: SeriesKey[], from: Date, to: Date): Promise<PowerSlotRow[]> {
    if (series.length === 0) return [];
    const { rows } = await this.knex.raw<{ rows: PowerSlotRow[] }>(
      `WITH s AS (SELECT * FROM unnest(?::int[], ?::int[], ?::text[]) AS s(site_id, meter_id, data_point))
       SELECT r.meter_id, r.data_point, date_bin('15 minutes'::interval, r.ts, ?::timestamptz) AS slot,
              avg(r.value)::float8 AS value
         FROM s JOIN meter_readings r
           ON r.site_id = s.site_id AND r.meter_id = s.meter_id AND r.data_point = s.data_point
        WHERE r.ts >= ? AND r.ts < ? AND r.quality = 'good'
        GROUP BY 1, 2, 3
        ORDER BY 1, 2, 3`,
      [
        series.map((s) => s.siteId),
        series.map((s) => s.meterId),
        series.map((s) => s.dataPoint),
        BUCKET_ORIGIN,
        from,
        to,
      ] as unknown as Knex.RawBinding[],
    );
    return rows;
  }
}
