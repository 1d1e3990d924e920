// `pnpm demo --outage 5` as a user runs it (after `pnpm build`): the whole demo comes up, the client system goes
// away for 5 s and comes back while the site keeps running, and Ctrl-C (SIGINT) stops every part, leaving nothing
// behind, with exit code 0 (pnpm reported "ELIFECYCLE Command failed" for a non-zero one).
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { FatalWait, freePort, waitUntil } from '@meterit/shared/testing';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let demo: ChildProcess | undefined;
const output: string[] = [];
let descendants: number[] = [];

/** Every process below `pid`, from /proc (children of children included: the embedded PostgreSQL servers). */
function descendantsOf(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const walk = (p: number) => {
    for (const c of parents.get(p) ?? []) {
      found.push(c);
      walk(c);
    }
  };
  walk(pid);
  return found;
}

/** Still there and not a zombie waiting for its parent. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const demoLines = () =>
  output
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('[demo] '))
    .map((l) => l.slice(7));

afterAll(async () => {
  // Only if the test failed half-way: the demo stops its parts, and nothing of it outlives the test.
  if (demo && demo.exitCode === null) {
    descendants = descendantsOf(demo.pid!);
    const exited = new Promise((resolve) => demo?.once('exit', resolve));
    demo.kill('SIGINT');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
    if (demo.exitCode === null) demo.kill('SIGKILL');
  }
  for (const pid of descendants) if (alive(pid)) process.kill(pid, 'SIGKILL');
}, 40_000);

describe('pnpm demo', () => {
  it('when run with --outage 5, then the client system stops and comes back while the site runs on, and Ctrl-C stops every part with exit code 0', async () => {
    for (const built of ['client/api/dist/main.js', 'sync/agent/dist/main.js', 'sync/simulator/dist/cli.js'])
      expect(existsSync(path.join(ROOT, built)), `run pnpm build first (${built} is missing)`).toBe(true);
    const clientPort = await freePort();
    const dashboardPort = await freePort();
    const clientUp = async () => (await fetch(`http://127.0.0.1:${clientPort}/ready`).catch(() => null))?.ok === true;
    // The embedded PostgreSQL servers run as the unprivileged postgres user, who must reach their data folders.
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'meterit-demo-'));
    chmodSync(dataDir, 0o755);
    const child = spawn(process.execPath, ['scripts/demo.mjs', '--outage', '5'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/root',
        DEMO_DATA_DIR: dataDir,
        DEMO_CLIENT_PORT: String(clientPort),
        DEMO_DASHBOARD_PORT: String(dashboardPort),
        DEMO_CLIENT_PG_PORT: String(await freePort()),
        DEMO_SITE_PG_PORT: String(await freePort()),
        DEMO_AGENT_ADDRESS: '127.0.72.2',
        DEMO_METER_BASE_ADDRESS: '127.0.72.10',
        DEMO_METERS: '2',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    demo = child;
    child.stdout.on('data', (b: Buffer) => output.push(b.toString()));
    child.stderr.on('data', (b: Buffer) => output.push(b.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const said = (re: RegExp) => demoLines().some((l) => re.test(l));
    const until = (what: string, re: RegExp, ms: number) =>
      waitUntil(
        what,
        async () => {
          if (child.exitCode !== null) throw new FatalWait(`the demo exited with code ${child.exitCode}`);
          return said(re);
        },
        ms,
        100,
      ).catch((err: Error) => {
        throw new Error(`${err.message}; the demo printed:\n${output.join('').split('\n').slice(-40).join('\n')}`);
      });

    await until('the demo to be up', /^MeterIT demo is running/, 90_000);
    expect(await clientUp()).toBe(true);
    expect((await fetch(`http://127.0.0.1:${dashboardPort}/health`)).ok).toBe(true);

    await until('the outage', /^outage: the client system is down/, 30_000);
    // The client system is really gone, the site is not.
    expect(await clientUp()).toBe(false);
    expect((await fetch(`http://127.0.0.1:${dashboardPort}/health`)).ok).toBe(true);

    await until('the recovery', /^recovery: the client system is back/, 60_000);
    expect(await clientUp()).toBe(true);
    descendants = descendantsOf(child.pid!);
    // The client API, the simulator, the agent, and each side's PostgreSQL server with its workers.
    expect(descendants.length).toBeGreaterThan(5);

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(demoLines().slice(-5)).toEqual([
      'stopping…',
      'agent stopped',
      'simulator stopped',
      'client-api stopped',
      expect.stringMatching(/^all stopped\./),
    ]);
    // Whatever the parts started stops with them (postgres shuts down on its own a moment after its parent).
    await waitUntil('no part of the demo to be left', async () => descendants.every((p) => !alive(p)), 10_000, 100);
    expect(await clientUp()).toBe(false);
  }, 150_000);
});
