import { readFile } from 'node:fs/promises';
import { formatReport } from './report.js';
import { runChaos } from './run.js';
import { parseVerifyInput, verify } from './verify.js';

// pnpm test:chaos -- --rounds 100 [--seed 123] [--round-ms 6000] [--dump FILE]   (or CHAOS_ROUNDS / CHAOS_SEED)
// pnpm test:chaos -- --verify FILE   checks a dumped run again (after a change to the checker), without running anything
function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const again = arg('verify');
if (again) {
  const v = verify(parseVerifyInput(await readFile(again, 'utf8')));
  const { problems, ...figures } = v;
  process.stdout.write(
    `${JSON.stringify(figures, null, 2)}\n${problems.map((p) => `${p.kind}: ${p.what}`).join('\n')}\n`,
  );
  process.exit(v.lost + v.duplicated + v.altered + v.policyMismatches === 0 ? 0 : 1);
}

const rounds = Number(arg('rounds') ?? process.env.CHAOS_ROUNDS ?? 20);
const seed = Number(arg('seed') ?? process.env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
const roundMs = Number(arg('round-ms') ?? process.env.CHAOS_ROUND_MS ?? 6000);
if (!Number.isInteger(rounds) || rounds < 1 || !Number.isFinite(seed) || !(roundMs > 0)) {
  process.stderr.write('usage: chaos [--rounds N] [--seed S] [--round-ms MS]\n');
  process.exit(2);
}
const report = await runChaos({ rounds, seed, roundMs, dumpTo: arg('dump') });
process.stdout.write(`${formatReport(report)}\n`);
const q = report.queueLimit;
const reported = q.reportedCentrally?.dropped === q.dropped && q.reportedCentrally.refused === q.refused;
const clean =
  report.lost === 0 &&
  report.duplicated === 0 &&
  report.altered === 0 &&
  report.policyMismatches === 0 &&
  reported &&
  report.unalerted.length === 0 &&
  report.crashes.length === 0 &&
  report.deadLetters === 0;
process.exit(clean ? 0 : 1);
