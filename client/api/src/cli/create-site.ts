import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, type Database, type Logger } from '@meterit/shared/node';
import { loadConfig } from '../config.js';
import { openClientDatabase } from '../db/index.js';
import { SitesService } from '../components/sites/sites-service.js';
import { parseArgs } from './args.js';

const USAGE = `usage: node dist/cli/create-site.js --name "Demo site" [--if-missing-key-file path] [--expire-old-keys-after-hours N]

Creates the site if absent and a new API key for it, and prints {"site_id","site_name","api_key"} once on stdout.
  --if-missing-key-file path      reuse: print the file if it exists; else create a key and write it there (mode 0600)
  --expire-old-keys-after-hours N  rotate: the site's other keys stop working after N hours (0 = now)`;

export interface CreateSiteOutput {
  site_id: number;
  site_name: string;
  api_key: string;
}

/** The command without process concerns, so tests can drive it. Opens the database only when a key must be made. */
export async function runCreateSite(
  argv: string[],
  deps: { openDb: () => Promise<Database>; logger: Logger },
): Promise<{ output: string; created: boolean }> {
  const args = parseArgs(argv, {
    name: 'string',
    'if-missing-key-file': 'string',
    'expire-old-keys-after-hours': 'string',
    help: 'boolean',
  });
  if (args.help) return { output: USAGE, created: false };
  const name = typeof args.name === 'string' ? args.name.trim() : '';
  if (!name || name.length > 255) throw new Error(`--name is required (1 to 255 characters)\n${USAGE}`);
  const keyFile =
    typeof args['if-missing-key-file'] === 'string' ? path.resolve(args['if-missing-key-file']) : undefined;
  let expireMs: number | undefined;
  if (typeof args['expire-old-keys-after-hours'] === 'string') {
    const hours = Number(args['expire-old-keys-after-hours']);
    if (!Number.isFinite(hours) || hours < 0) throw new Error('--expire-old-keys-after-hours must be a number ≥ 0');
    expireMs = Math.round(hours * 3_600_000);
  }

  if (keyFile && existsSync(keyFile)) {
    const existing = JSON.parse(readFileSync(keyFile, 'utf8')) as CreateSiteOutput;
    if (existing.site_name !== name) {
      deps.logger.warn('key file belongs to another site name; reusing it as asked', {
        file: keyFile,
        site_name: existing.site_name,
      });
    }
    return { output: JSON.stringify(existing), created: false };
  }

  const db = await deps.openDb();
  try {
    const result = await new SitesService(db.knex).createSiteWithKey(
      name,
      expireMs === undefined ? {} : { expireOtherKeysAfterMs: expireMs },
    );
    const out: CreateSiteOutput = { site_id: result.site_id, site_name: result.site_name, api_key: result.api_key };
    const text = JSON.stringify(out);
    if (keyFile) {
      mkdirSync(path.dirname(keyFile), { recursive: true });
      writeFileSync(keyFile, `${text}\n`, { mode: 0o600, flag: 'wx' });
    }
    deps.logger.info(result.site_created ? 'site created with a new API key' : 'new API key for existing site', {
      site_id: out.site_id,
      key_file: keyFile,
    });
    return { output: text, created: true };
  } finally {
    await db.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // stdout carries only the JSON answer; logs go to stderr.
  const config = loadConfig();
  const logger = createLogger({ service: 'client-api-cli', level: config.logLevel, stream: 'stderr' });
  runCreateSite(process.argv.slice(2), { openDb: () => openClientDatabase(config.database, logger), logger }).then(
    ({ output }) => {
      process.stdout.write(`${output}\n`);
    },
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exitCode = 1;
    },
  );
}
