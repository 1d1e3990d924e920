import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../harness/processes.js';

export interface BenchResult {
  name: string;
  /** Human-readable lines: figures and the ratio against the baseline measured in the same run. */
  lines: string[];
  /** Machine-readable figures for docs and checks. */
  figures: Record<string, number>;
  target?: { description: string; met: boolean };
}

export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
export const rate = (n: number) => `${n.toFixed(0).padStart(8)}/s`;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, value };
}

const execFileAsync = promisify(execFile);
/** Run the site database migrations (the agent's own CLI) on a database. */
export async function migrateSiteDb(databaseUrl: string): Promise<void> {
  await execFileAsync(process.execPath, [path.join(repoRoot, 'sync/agent/dist/cli/migrate.js')], {
    env: { PATH: process.env.PATH ?? '', LOCAL_DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
  });
}

/** BENCH_CPU_PROF_DIR=/some/dir: Node options that write a V8 CPU profile of a spawned process there (open it in Chrome DevTools). */
export function cpuProfArgs(): string[] {
  return process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : [];
}
