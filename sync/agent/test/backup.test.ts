// scripts/db-backup.mjs against real databases: back up, lose data, restore, data is back.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { createLogger, openDatabase } from '@meterit/shared/node';
import { createTestDatabase } from '@meterit/shared/testing';
import { migrations as clientMigrations } from '@meterit/client-api';
import { siteMigrations } from '../src/db/migrations/index.js';
import { QueueRepository } from '../src/queue/queue-repository.js';

const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../scripts/db-backup.mjs');
const logger = createLogger({ service: 'test', silent: true });

function run(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [script, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe('database backup and restore', () => {
  it('when the site queue is backed up and then lost, then a restore brings every unsent reading back', async () => {
    const url = await createTestDatabase(inject('pg'), 'backup_site');
    const db = await openDatabase({ url, migrations: siteMigrations, logger });
    const queue = new QueueRepository(db.knex);
    const ts = new Date('2026-01-01T00:00:00Z');
    await queue.enqueue(
      [1, 2, 3].map((i) => ({
        meterExternalId: `m${i}`,
        dataPoint: 'total_kwh',
        ts,
        value: i + 0.1,
        unit: 'kWh',
        quality: 'good',
      })),
    );
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'meterit-backup-')), 'site.dump');

    const backup = run(['backup', 'site', '--out', file], { LOCAL_DATABASE_URL: url });
    expect(backup.out).toContain(`site database backed up to ${file}`);
    expect(backup.code).toBe(0);

    await db.knex('meter_readings').delete();
    const refused = run(['restore', 'site', '--in', file], { LOCAL_DATABASE_URL: url });
    expect(refused.code).toBe(2);
    expect(refused.out).toContain('stop the agent first, then add --yes');

    const restore = run(['restore', 'site', '--in', file, '--yes'], { LOCAL_DATABASE_URL: url });
    expect(restore.code).toBe(0);
    const rows = await db.knex('meter_readings').orderBy('meter_external_id').select('meter_external_id', 'value');
    expect(rows).toEqual([
      { meter_external_id: 'm1', value: 1.1 },
      { meter_external_id: 'm2', value: 2.1 },
      { meter_external_id: 'm3', value: 3.1 },
    ]);
    await db.close();
  });

  it('when the client database is backed up, then a restore brings the sites back', async () => {
    const url = await createTestDatabase(inject('pg'), 'backup_client');
    const db = await openDatabase({ url, migrations: clientMigrations, logger });
    await db.knex('sites').insert({ name: 'Backed-up site' });
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'meterit-backup-')), 'client.dump');
    expect(run(['backup', 'client', '--out', file], { DATABASE_URL: url }).code).toBe(0);
    await db.knex.raw('TRUNCATE sites CASCADE');
    expect(run(['restore', 'client', '--in', file, '--yes'], { DATABASE_URL: url }).code).toBe(0);
    expect(await db.knex('sites').pluck('name')).toEqual(['Backed-up site']);
    await db.close();
  });

  it('when the arguments are wrong, then it says how to call it', () => {
    const r = run(['backup', 'elsewhere'], {});
    expect(r.code).toBe(2);
    expect(r.out).toContain('usage: db-backup.mjs backup client|site');
  });
});
