import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_PATHS } from '@meterit/shared';
import { createLogger } from '@meterit/shared/node';
import type { RunningClientApi } from '../src/index.js';
import { openClientDatabase } from '../src/db/index.js';
import { runCreateSite } from '../src/cli/create-site.js';
import { call, startTestApi } from './helpers.js';

let api: RunningClientApi;
let dir: string;
const logger = createLogger({ service: 'test', silent: true });

beforeAll(async () => {
  api = await startTestApi();
  dir = mkdtempSync(path.join(tmpdir(), 'client-api-cli-'));
});
afterAll(async () => {
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
});

const run = (argv: string[]) =>
  runCreateSite(argv, { openDb: () => openClientDatabase(api.config.database, logger), logger });

describe('when an installer creates a site with a key file', () => {
  it('then the first run creates the site and a working key, and writes it with mode 0600', async () => {
    const file = path.join(dir, 'demo', 'site-key.json');

    const first = await run(['--name', 'Demo site', '--if-missing-key-file', file]);

    expect(first.created).toBe(true);
    const out = JSON.parse(first.output);
    expect(out).toEqual({
      site_id: expect.any(Number),
      site_name: 'Demo site',
      api_key: expect.stringMatching(/^mk_/),
    });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(out);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const auth = await call(api, 'POST', SYNC_PATHS.auth, { key: out.api_key });
    expect(auth.json).toMatchObject({ site_id: out.site_id, site_name: 'Demo site' });
  });

  it('then a second run reuses the key file and creates nothing', async () => {
    const file = path.join(dir, 'demo', 'site-key.json');
    const { rows: before } = await api.db.knex.raw<{ rows: { n: number }[] }>(
      'SELECT count(*)::int AS n FROM site_api_keys',
    );

    const second = await run(['--name', 'Demo site', '--if-missing-key-file', file]);

    expect(second.created).toBe(false);
    expect(JSON.parse(second.output)).toEqual(JSON.parse(readFileSync(file, 'utf8')));
    const { rows: after } = await api.db.knex.raw<{ rows: { n: number }[] }>(
      'SELECT count(*)::int AS n FROM site_api_keys',
    );
    expect(after[0]?.n).toBe(before[0]?.n);
  });
});

describe('when create-site runs without a key file for an existing site', () => {
  it('then the same site gets an additional key', async () => {
    const a = JSON.parse((await run(['--name', 'Twice'])).output);
    const b = JSON.parse((await run(['--name=Twice'])).output);
    expect(b.site_id).toBe(a.site_id);
    expect(b.api_key).not.toBe(a.api_key);
  });
});

describe('when create-site is called wrongly', () => {
  it('then it fails with a usage message instead of guessing', async () => {
    await expect(run([])).rejects.toThrow(/--name is required/);
    await expect(run(['--nme', 'x'])).rejects.toThrow(/unknown option --nme/);
  });
});
