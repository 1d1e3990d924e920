// The supervisor of the agent's own PostgreSQL, against a real embedded server that the test kills
// by the PID in its postmaster.pid.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, openDatabase, type Database } from '@meterit/shared/node';
import { freePort, waitUntil } from '@meterit/shared/testing';
import { siteMigrations } from '../src/db/migrations/index.js';
import { LocalDatabaseSupervisor } from '../src/db/supervisor.js';
import { systemClock } from '../src/clock.js';

const logger = createLogger({ service: 'test', silent: true });
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function embedded(): Promise<{ db: Database; dir: string; pid: () => number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'meterit-supervisor-'));
  // The server runs as the unprivileged postgres user, which must be able to enter the folder.
  chmodSync(dir, 0o755);
  const db = await openDatabase({
    embedded: { dataDir: dir, port: await freePort(), database: 'site' },
    migrations: siteMigrations,
    logger,
    pool: { max: 2 },
  });
  const pidFile = path.join(dir, 'pg', 'postmaster.pid');
  const pid = () => Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  cleanups.push(async () => {
    const p = existsSync(pidFile) ? pid() : 0;
    await db.close();
    if (p > 0 && alive(p)) process.kill(p, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  return { db, dir, pid };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function kill(pid: number): Promise<void> {
  process.kill(pid, 'SIGKILL');
  await waitUntil('the postmaster to be gone', async () => !alive(pid), 10_000, 50);
}

describe('local database supervisor', () => {
  it('when the embedded postmaster is killed, then the supervisor starts it again, counts the restart, and tells its listeners the database is back', async () => {
    const { db, pid } = await embedded();
    const supervisor = new LocalDatabaseSupervisor({
      knex: db.knex,
      embedded: db.embedded,
      logger,
      clock: systemClock,
      probeMs: 500,
      backoff: { baseMs: 200, capMs: 1000 },
      attemptsBeforeDown: 3,
    });
    let backs = 0;
    supervisor.onUp(() => (backs += 1));
    supervisor.start();
    cleanups.push(() => supervisor.stop());
    await db
      .knex('meter_readings')
      .insert({ meter_external_id: 'm', data_point: 'p', ts: new Date(0), value: 1, unit: null, quality: 'good' });

    const first = pid();
    await kill(first);
    await waitUntil(
      'the database to answer again',
      async () => supervisor.status.state === 'up' && supervisor.status.restarts === 1,
      60_000,
    );
    expect(pid()).not.toBe(first);
    expect(backs).toBe(1);
    expect(supervisor.status.lastError?.message).toMatch(/exited \(signal SIGKILL\)/);
    // The same knex pool works again, and what was committed before the kill is still there.
    expect(await db.knex('meter_readings').count<{ count: number }[]>('* as count').first()).toEqual({ count: 1 });
  });

  it('when a configured database stops answering, then it is reported down (never restarted by the agent), and up again once it answers', async () => {
    const { db, pid } = await embedded();
    // Watched as a configured database: no embedded handle, so no restarts.
    const supervisor = new LocalDatabaseSupervisor({
      knex: db.knex,
      logger,
      clock: systemClock,
      probeMs: 300,
      backoff: { baseMs: 200, capMs: 1000 },
      attemptsBeforeDown: 3,
    });
    supervisor.start();
    cleanups.push(() => supervisor.stop());
    await kill(pid());
    await waitUntil('the database to be reported down', async () => supervisor.status.state === 'down', 30_000);
    expect(supervisor.status).toMatchObject({ restarts: 0, embedded: false });
    expect(supervisor.status.lastError?.message).toBeTruthy();
    // Someone else (here: the test) brings it back.
    await db.embedded!.restart();
    await waitUntil('the database to be reported up', async () => supervisor.status.state === 'up', 30_000);
    expect(supervisor.status.restarts).toBe(0);
  });

  it('when the embedded postmaster died, then closing the database still finishes (it used to wait for an exit that had already happened)', async () => {
    const { db, pid } = await embedded();
    await kill(pid());
    await db.close();
    expect(db.embedded?.pid()).toBeNull();
  }, 60_000);
});
