import { startTestPostgres, type TestPostgres } from '@meterit/shared/testing';
import { benchBacnet } from './bacnet.js';
import type { BenchResult } from './common.js';
import { benchCosts } from './costs.js';
import { benchDrain } from './drain.js';
import { benchIngest } from './ingest.js';
import { benchQueries } from './queries.js';
import { benchRollups } from './rollups.js';
import { benchWebOverview } from './web-overview.js';

// pnpm bench [-- ingest rollups drain bacnet queries web-overview costs] [--long]
// Each benchmark prints its figures and a ratio against a baseline measured in the same run.
const args = process.argv.slice(2).filter((a) => a !== '--');
const long = args.includes('--long') || process.env.BENCH_LONG === '1';
const all = ['ingest', 'rollups', 'drain', 'bacnet', 'queries', 'web-overview', 'costs'];
const picked = args.filter((a) => all.includes(a));
const run = picked.length > 0 ? picked : all;

// PostgreSQL is started for the first benchmark that uses it (BACnet alone needs none).
let pg: TestPostgres | undefined;
const database = async () => (pg ??= await startTestPostgres());
const results: BenchResult[] = [];
const print = (r: BenchResult) =>
  process.stdout.write(
    `${r.lines.join('\n')}\n${r.target ? `  target (${r.target.description}): ${r.target.met ? 'met' : 'MISSED'}\n` : ''}\n`,
  );
try {
  process.stdout.write(
    `MeterIT benchmarks (${long ? 'long' : 'default'} form), node ${process.version}, ${new Date().toISOString()}\n\n`,
  );
  let ingestRate: number | undefined;
  if (run.includes('ingest') || run.includes('drain')) {
    const r = await benchIngest(await database(), { batches: long ? 100 : 40, batchSize: 1000 });
    ingestRate = r.figures.api;
    results.push(r);
    print(r);
  }
  if (run.includes('rollups')) {
    const r = await benchRollups(await database(), { batches: long ? 100 : 40, batchSize: 1000, rounds: long ? 5 : 3 });
    results.push(r);
    print(r);
  }
  if (run.includes('drain')) {
    const r = await benchDrain(await database(), {
      readings: long ? 1_000_000 : 100_000,
      batchSize: 1000,
      ...(ingestRate ? { ingestRate } : {}),
    });
    results.push(r);
    print(r);
  }
  if (run.includes('bacnet')) {
    const r = await benchBacnet({ seconds: long ? 15 : 5, meters: 10, cycleMeters: 200 });
    results.push(r);
    print(r);
  }
  if (run.includes('queries')) {
    const r = await benchQueries(await database(), { small: 1_000_000, big: long ? 20_000_000 : 4_000_000 });
    results.push(r);
    print(r);
  }
  if (run.includes('web-overview')) {
    const r = await benchWebOverview(await database(), {
      sites: 200,
      meters: 10,
      hours: long ? 24 : 2,
      loads: long ? 15 : 7,
    });
    results.push(r);
    print(r);
  }
  if (run.includes('costs')) {
    const r = await benchCosts(await database(), { meters: 10, days: long ? 365 : 92 });
    results.push(r);
    print(r);
  }
  const missed = results.filter((r) => r.target && !r.target.met).map((r) => r.name);
  process.stdout.write(`bench: ${results.length} run, targets missed: ${missed.length ? missed.join(', ') : 'none'}\n`);
} finally {
  await pg?.stop();
}
