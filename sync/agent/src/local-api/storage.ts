import { statfs } from 'node:fs/promises';
import path from 'node:path';
import type { StorageEstimate } from '@meterit/shared/site-contracts';

/** Bytes one queued reading takes (row, TOAST-free values, two indexes) until enough rows exist to measure it. */
export const DEFAULT_BYTES_PER_READING = 250;
const MIN_ROWS_TO_MEASURE = 1000;
/** Time constant of the exponential smoothing of bytes per reading: a sample counts fully only after hours. */
const SMOOTHING_MS = 3600_000;

export interface StorageInputs {
  dataDir: string;
  /** Readings the collector adds per hour: every configured data point, once per interval. */
  readingsPerHour: number;
  footprint: () => Promise<{ bytes: number; rows: number }>;
  /** QUEUE_MAX_READINGS: the queue's own limit on unsent readings. */
  queueMax: number;
  /** Unsent readings now. */
  backlog: number;
  now: number;
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
const n = (x: number) => Math.round(x).toLocaleString('en-US');
const round1 = (h: number) => Math.round(h * 10) / 10;

/**
 * How many hours of uplink outage the site still holds: the smaller of what the disk holds
 * (free space ÷ (readings per hour × bytes per reading)) and what the queue limit lets in
 * ((QUEUE_MAX_READINGS − unsent) ÷ readings per hour).
 *
 * Bytes per reading are measured from the readings table's size on disk (with its indexes), but
 * against the most rows the table held (scaled down when the table shrinks): PostgreSQL keeps the
 * space of purged rows and reuses it, so size ÷ current rows would swing with every purge of synced readings (and
 * fall back to the typical value whenever fewer than 1000 rows are left). On top of that the
 * figure is exponentially smoothed over about an hour, so the dashboard's days do not jump.
 */
export class StorageEstimator {
  private peakRows = 0;
  private lastBytes = 0;
  private bytesPerReading: number | null = null;
  private sampledAt = 0;

  private measure(fp: { bytes: number; rows: number }, now: number): number | null {
    // A table that shrank (vacuum cut its empty tail, VACUUM FULL rewrote it) holds fewer rows in the same proportion.
    if (fp.bytes < this.lastBytes) this.peakRows = Math.round((this.peakRows * fp.bytes) / this.lastBytes);
    this.lastBytes = fp.bytes;
    this.peakRows = Math.max(this.peakRows, fp.rows);
    if (this.peakRows < MIN_ROWS_TO_MEASURE || fp.bytes <= 0) return this.bytesPerReading;
    const sample = fp.bytes / this.peakRows;
    if (this.bytesPerReading === null) this.bytesPerReading = sample;
    else
      this.bytesPerReading +=
        (1 - Math.exp(-Math.max(0, now - this.sampledAt) / SMOOTHING_MS)) * (sample - this.bytesPerReading);
    this.sampledAt = now;
    return this.bytesPerReading;
  }

  async estimate(i: StorageInputs): Promise<StorageEstimate> {
    const [free, fp] = await Promise.all([freeBytes(i.dataDir), i.footprint()]);
    const smoothed = this.measure(fp, i.now);
    const measured = smoothed !== null;
    const bytesPerReading = measured ? Math.max(1, Math.round(smoothed)) : DEFAULT_BYTES_PER_READING;
    const perHour = i.readingsPerHour;
    const room = Math.max(0, i.queueMax - i.backlog);
    const diskHours = free !== null && perHour > 0 ? free / (perHour * bytesPerReading) : null;
    const queueHours = perHour > 0 ? room / perHour : null;
    const bound: StorageEstimate['bound'] =
      queueHours === null ? null : diskHours !== null && diskHours < queueHours ? 'disk' : 'queue_limit';
    const outageHours = bound === 'disk' ? diskHours : queueHours;
    const per = `${bytesPerReading} bytes per reading (${measured ? `measured over up to ${this.peakRows} stored readings, smoothed over an hour` : 'typical value; measured once 1000 readings are stored'})`;
    const queueWords = `the queue limit lets in ${n(room)} more readings (QUEUE_MAX_READINGS ${n(i.queueMax)} − ${n(i.backlog)} unsent)`;
    let basis: string;
    if (perHour <= 0)
      basis = `${free === null ? 'free disk space unknown' : `${gb(free)} free on the disk of ${i.dataDir}`}; nothing is being collected, so the queue does not grow`;
    else if (free === null)
      basis = `queue limit: ${queueWords} ÷ ${n(perHour)} readings per hour; free space of ${i.dataDir} is unknown`;
    else {
      const disk = `${gb(free)} free on the disk of ${i.dataDir} ÷ (${n(perHour)} readings per hour × ${per}) = ${n(diskHours ?? 0)} h; assumes the local database is on that disk`;
      const queue = `${queueWords} ÷ ${n(perHour)} readings per hour = ${n(queueHours ?? 0)} h`;
      basis =
        bound === 'disk'
          ? `disk space: ${disk} (before that, ${queue})`
          : `queue limit: ${queue} (the disk would hold more: ${disk})`;
    }
    return {
      data_dir: i.dataDir,
      free_bytes: free,
      bytes_per_reading: bytesPerReading,
      bytes_per_reading_measured: measured,
      readings_per_hour: Math.round(perHour * 100) / 100,
      outage_hours: outageHours === null ? null : round1(outageHours),
      bound,
      disk_hours: diskHours === null ? null : round1(diskHours),
      queue_limit_hours: queueHours === null ? null : round1(queueHours),
      queue_max_readings: i.queueMax,
      basis,
    };
  }
}
