import { describe, expect, it } from 'vitest';
import { qualityFromStatusFlags, unitSymbol } from '../src/index.js';
import { openDatabase, createLogger, parseConfig, ConfigError } from '../src/node/index.js';
import { startTestPostgres } from '../src/node/testing.js';
import { z } from 'zod';

describe('quality from BACnet status flags', () => {
  it('when no flag is set, then the reading is good; otherwise the set flags are named', () => {
    const none = { inAlarm: false, fault: false, overridden: false, outOfService: false };
    expect(qualityFromStatusFlags(none)).toBe('good');
    expect(qualityFromStatusFlags({ ...none, fault: true })).toBe('fault');
    expect(qualityFromStatusFlags({ ...none, inAlarm: true, outOfService: true })).toBe('inAlarm+outOfService');
  });
});

describe('BACnet engineering units', () => {
  it('when a meter reports kWh, kW, V or A, then the symbol is the one an operator expects', () => {
    expect([19, 48, 5, 3].map(unitSymbol)).toEqual(['kWh', 'kW', 'V', 'A']);
    expect(unitSymbol(99999)).toBeNull();
    expect(unitSymbol(null)).toBeNull();
  });
});

describe('configuration', () => {
  it('when several keys are wrong, then every bad key is listed at once', () => {
    const schema = z.object({ PORT: z.coerce.number().int(), URL: z.string().url() });
    try {
      parseConfig(schema, { PORT: 'abc', URL: 'nope' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems.map((p) => p.split(':')[0])).toEqual(['PORT', 'URL']);
    }
  });
});

describe('embedded PostgreSQL', () => {
  it('when a database is opened twice, then migrations run once and the data is still there', async () => {
    const server = await startTestPostgres();
    const logger = createLogger({ service: 'test', silent: true });
    const url = `postgresql://${server.user}:${encodeURIComponent(server.password)}@${server.host}:${server.port}/postgres`;
    const migrations = [
      {
        name: '001_things',
        up: async (k: import('knex').Knex) => void (await k.schema.createTable('things', (t) => t.text('name'))),
        down: async (k: import('knex').Knex) => void (await k.schema.dropTable('things')),
      },
    ];
    const first = await openDatabase({ url, migrations, logger });
    await first.knex('things').insert({ name: 'meter' });
    await first.close();
    const second = await openDatabase({ url, migrations, logger });
    expect(await second.knex('things').pluck('name')).toEqual(['meter']);
    await second.close();
    await server.stop();
  });
});

describe('log files', () => {
  it('when modules log, then each daily file holds the JSON lines of its modules only', async () => {
    const { mkdtempSync, readdirSync, readFileSync } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'meterit-logs-'));
    const logger = createLogger({
      service: 'agent',
      dir,
      files: [{ name: 'agent' }, { name: 'collection', modules: ['collection'] }, { name: 'sync', modules: ['sync'] }],
    });
    logger.child({ module: 'collection' }).info('meter read', { meter: 'm1' });
    logger.child({ module: 'sync' }).info('sync done', { sent: 5 });
    await new Promise<void>((resolve) => {
      logger.on('finish', () => resolve());
      logger.end();
    });
    await new Promise((r) => setTimeout(r, 100));
    const read = (stem: string) => {
      const file = readdirSync(dir).find((f) => f.startsWith(`${stem}-`) && f.endsWith('.log'))!;
      return readFileSync(path.join(dir, file), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).message);
    };
    expect(read('collection')).toEqual(['meter read']);
    expect(read('sync')).toEqual(['sync done']);
    expect(read('agent')).toEqual(['meter read', 'sync done']);
  });
});
