// One reading as the site database stores it and as the agent passes it on: the queue, the dead
// letters and the dashboard's views all read the same six columns.

/** A reading to store, or one read back (without its queue id). */
export interface NewReading {
  meterExternalId: string;
  dataPoint: string;
  ts: Date;
  value: number;
  unit: string | null;
  quality: string;
}

/** The six reading columns of meter_readings and dead_letters. */
export interface ReadingColumns {
  meter_external_id: string;
  data_point: string;
  ts: Date;
  value: number;
  unit: string | null;
  quality: string;
}

/** A row's reading columns as a reading. */
export function readingOf(r: ReadingColumns): NewReading {
  return {
    meterExternalId: r.meter_external_id,
    dataPoint: r.data_point,
    ts: r.ts,
    value: r.value,
    unit: r.unit,
    quality: r.quality,
  };
}
