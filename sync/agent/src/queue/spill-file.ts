import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import type { Logger } from '@meterit/shared/node';
import type { NewReading } from './queue-repository.js';

/** One reading per line, as the collector produced it; values as JSON numbers (doubles round-trip exactly). */
const lineSchema = z.object({
  meter: z.string().min(1),
  point: z.string().min(1),
  ts: z.iso.datetime({ offset: true }),
  value: z.number(),
  unit: z.string().nullable(),
  quality: z.string(),
});

export interface SpillReplayResult {
  /** Readings read back from the file and handed to the queue (the queue ignores those it has). */
  replayed: number;
  /** Lines that were not a whole reading (a write torn by a crash), skipped. */
  tornLines: number;
}

const ACTIVE = 'readings.jsonl';
const REPLAYING = 'readings.replaying.jsonl';

/**
 * The readings the local database could not take, on disk: an append-only file of JSON lines in
 * the agent's data folder, fsync'd before an append returns, so a reading the collector handed
 * over survives a crash of the agent as well as of the database. Replay hands them back to the
 * queue in batches; the file is renamed aside while it is replayed (new spills go to a fresh one)
 * and deleted only after the queue committed every batch. A replay cut short is simply done again:
 * the queue's reading identity (meter, point, timestamp) makes a second copy a no-op.
 */
export class SpillFile {
  private handle: FileHandle | null = null;
  private waitingCount: number;
  private tornTotal = 0;
  private appending: Promise<unknown> = Promise.resolve();
  private replaying: Promise<SpillReplayResult> | null = null;

  private constructor(
    readonly dir: string,
    private readonly logger: Logger,
    waiting: number,
  ) {
    this.waitingCount = waiting;
  }

  /** Open the spill folder (created if missing); readings left by an earlier run are counted and wait for replay. */
  static async open(dir: string, logger: Logger): Promise<SpillFile> {
    await mkdir(dir, { recursive: true });
    let waiting = 0;
    for (const name of [REPLAYING, ACTIVE]) {
      const file = path.join(dir, name);
      if (existsSync(file)) waiting += (await countLines(file)).readings;
    }
    const spill = new SpillFile(dir, logger, waiting);
    if (waiting > 0)
      logger.warn('readings spilled to disk by an earlier run wait to go into the local queue', {
        readings: waiting,
        dir,
      });
    return spill;
  }

  /** Readings on disk that the queue has not committed yet. */
  get waiting(): number {
    return this.waitingCount;
  }

  /** Lines skipped on replay since the agent started because they were not a whole reading. */
  get tornLines(): number {
    return this.tornTotal;
  }

  get file(): string {
    return path.join(this.dir, ACTIVE);
  }

  /** Append readings as one write and fsync it; when this resolves they are on disk. */
  append(readings: NewReading[]): Promise<void> {
    if (readings.length === 0) return Promise.resolve();
    const run = async () => {
      const fh = await this.activeHandle();
      const text = readings
        .map(
          (r) =>
            JSON.stringify({
              meter: r.meterExternalId,
              point: r.dataPoint,
              ts: r.ts.toISOString(),
              value: r.value,
              unit: r.unit,
              quality: r.quality,
            }) + '\n',
        )
        .join('');
      await fh.write(text);
      await fh.datasync();
      this.waitingCount += readings.length;
    };
    const p = this.appending.then(run, run);
    this.appending = p.catch(() => undefined);
    return p;
  }

  /**
   * Hand every spilled reading to `sink` in batches, oldest first, and delete what it committed.
   * One replay at a time: a second call while one runs waits for it. Rejects (leaving the file)
   * when the sink does; nothing is lost, the next replay starts over.
   */
  replay(sink: (batch: NewReading[]) => Promise<unknown>, batchSize = 1000): Promise<SpillReplayResult> {
    this.replaying ??= this.replayAll(sink, batchSize).finally(() => {
      this.replaying = null;
    });
    return this.replaying;
  }

  private async replayAll(
    sink: (batch: NewReading[]) => Promise<unknown>,
    batchSize: number,
  ): Promise<SpillReplayResult> {
    const total: SpillReplayResult = { replayed: 0, tornLines: 0 };
    const aside = path.join(this.dir, REPLAYING);
    for (;;) {
      if (!existsSync(aside)) {
        // Move the active file aside between two appends; new spills start a fresh file.
        const rotated = await this.inAppendTurn(async () => {
          const active = path.join(this.dir, ACTIVE);
          if (!existsSync(active) || (await stat(active)).size === 0) return false;
          await this.closeHandle();
          await rename(active, aside);
          await syncDir(this.dir);
          return true;
        });
        if (!rotated) return total;
      }
      const r = await this.replayFile(aside, sink, batchSize);
      await unlink(aside);
      await syncDir(this.dir);
      total.replayed += r.readings;
      total.tornLines += r.torn;
      this.waitingCount = Math.max(0, this.waitingCount - r.readings);
    }
  }

  private async replayFile(
    file: string,
    sink: (batch: NewReading[]) => Promise<unknown>,
    batchSize: number,
  ): Promise<{ readings: number; torn: number }> {
    let batch: NewReading[] = [];
    let readings = 0;
    let torn = 0;
    const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        if (line.length === 0) continue;
        const reading = parseLine(line);
        if (!reading) {
          torn += 1;
          this.tornTotal += 1;
          this.logger.warn(
            'skipped a line of the spill file that is not a whole reading (a write cut short by a crash)',
            {
              file,
              line: line.slice(0, 200),
              tornTotal: this.tornTotal,
            },
          );
          continue;
        }
        batch.push(reading);
        if (batch.length >= batchSize) {
          await sink(batch);
          readings += batch.length;
          batch = [];
        }
      }
    } finally {
      lines.close();
    }
    if (batch.length > 0) {
      await sink(batch);
      readings += batch.length;
    }
    return { readings, torn };
  }

  async close(): Promise<void> {
    await this.inAppendTurn(() => this.closeHandle());
  }

  private inAppendTurn<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.appending.then(fn, fn);
    this.appending = p.catch(() => undefined);
    return p;
  }

  private async closeHandle(): Promise<void> {
    const fh = this.handle;
    this.handle = null;
    await fh?.close();
  }

  private async activeHandle(): Promise<FileHandle> {
    if (this.handle) return this.handle;
    const file = path.join(this.dir, ACTIVE);
    const created = !existsSync(file);
    const fh = await open(file, 'a+');
    const { size } = await fh.stat();
    if (size > 0) {
      // A crash in the middle of a write leaves a line without its newline: end it, so the next
      // reading starts a line of its own (the torn one is skipped on replay).
      const last = Buffer.alloc(1);
      await fh.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) await fh.write('\n');
    }
    if (created) await syncDir(this.dir);
    this.handle = fh;
    return fh;
  }
}

function parseLine(line: string): NewReading | null {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return null;
  }
  const r = lineSchema.safeParse(raw);
  if (!r.success) return null;
  return {
    meterExternalId: r.data.meter,
    dataPoint: r.data.point,
    ts: new Date(r.data.ts),
    value: r.data.value,
    unit: r.data.unit,
    quality: r.data.quality,
  };
}

async function countLines(file: string): Promise<{ readings: number }> {
  let readings = 0;
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) if (parseLine(line)) readings += 1;
  return { readings };
}

/** A new or renamed file's directory entry survives a power cut only once the directory is synced. */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
