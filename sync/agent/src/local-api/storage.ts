import { statfs } from 'node:fs/promises';
import path from 'node:path';
import type { StorageEstimate } from './contract.js';

/** Bytes one queued reading takes (row, TOAST-free values, two indexes) until enough rows exist to measure it. */
export const DEFAULT_BYTES_PER_READING = 250;
const MIN_ROWS_TO_MEASURE = 1000;

export interface StorageInputs {
  dataDir: string;
  /** Readings the collector adds per hour: every configured data point, once per interval. */
  readingsPerHour: number;
  footprint: () => Promise<{ bytes: number; rows: number }>;
}

/** Free bytes for unprivileged writers on the filesystem holding `dir` (or its nearest existing parent). */
async function freeBytes(dir: string): Promise<number | null> {
  let d = path.resolve(dir);
  for (;;) {
    try {
      const s = await statfs(d);
      return Number(s.bavail) * Number(s.bsize);
    } catch {
      const parent = path.dirname(d);
      if (parent === d) return null;
      d = parent;
    }
  }
}

const gb = (b: number) => `${(b / 1e9).toFixed(1)} GB`;

/**
 * How many hours of uplink outage the disk still holds: free space of the data folder's
 * filesystem ÷ (readings per hour × bytes per reading). Bytes per reading are measured from
 * the readings table's size on disk (with its indexes) once it holds enough rows.
 */
export async function estimateStorage(i: StorageInputs): Promise<StorageEstimate> {
  const [free, fp] = await Promise.all([freeBytes(i.dataDir), i.footprint()]);
  const measured = fp.rows >= MIN_ROWS_TO_MEASURE && fp.bytes > 0;
  const bytesPerReading = measured ? Math.max(1, Math.round(fp.bytes / fp.rows)) : DEFAULT_BYTES_PER_READING;
  const perHour = i.readingsPerHour;
  const outageHours = free !== null && perHour > 0 ? free / (perHour * bytesPerReading) : null;
  const per = `${bytesPerReading} bytes per reading (${measured ? `measured over ${fp.rows} stored readings` : 'typical value; measured once 1000 readings are stored'})`;
  let basis: string;
  if (free === null) basis = `free space of ${i.dataDir} is unknown`;
  else if (perHour <= 0) basis = `${gb(free)} free on the disk of ${i.dataDir}; nothing is being collected, so the queue does not grow`;
  else basis = `${gb(free)} free on the disk of ${i.dataDir} ÷ (${Math.round(perHour)} readings per hour × ${per}); assumes the local database is on that disk`;
  return {
    data_dir: i.dataDir,
    free_bytes: free,
    bytes_per_reading: bytesPerReading,
    bytes_per_reading_measured: measured,
    readings_per_hour: Math.round(perHour * 100) / 100,
    outage_hours: outageHours === null ? null : Math.round(outageHours * 10) / 10,
    basis,
  };
}
