import { randomBytes } from 'node:crypto';
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { SITE_API_KEY_FORMAT } from '@meterit/shared';
import { createLogger, type Logger } from '@meterit/shared/node';
import { isLoopback } from '../config.js';
import { ClientApi, ClientApiError } from '../uploader/client-api.js';

/** Why a key rotation on the agent was refused; the message says what to do. */
export class RotateKeyError extends Error {}

export interface RotateKeyOptions {
  /** The agent's configuration file (written by setup-site), e.g. sync/agent/.env. */
  envFile: string;
  /** The new key, as shown once by the operators' web app (Rotate key → Create new key). */
  newKey: string;
  timeoutMs?: number;
}

export interface RotateKeyResult {
  site: { id: number; name: string };
  envFile: string;
  /** False when the client system already refuses the old key (expired or revoked). */
  oldKeyStillAccepted: boolean;
}

/**
 * Put a new API key on this site's agent: check that the client system accepts it for this same
 * site, then replace CLIENT_API_KEY in the agent's .env (mode 600, written atomically, every other
 * line kept). The running agent keeps its old key until it restarts; the old key works for the
 * grace period the operator chose when rotating.
 */
export async function rotateAgentKey(
  opts: RotateKeyOptions,
  logger: Logger = createLogger({ service: 'rotate-key', silent: true }),
): Promise<RotateKeyResult> {
  const newKey = opts.newKey.trim();
  if (!SITE_API_KEY_FORMAT.test(newKey)) {
    throw new RotateKeyError(
      "that is not a site API key: keys look like mk_<16 hex characters>_<43 characters>; copy it again from the operators' web app",
    );
  }
  let text: string;
  try {
    text = await readFile(opts.envFile, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new RotateKeyError(
      code === 'ENOENT'
        ? `no agent configuration at ${opts.envFile}: run scripts/setup-site first, or pass --config with the agent's .env`
        : `cannot read ${opts.envFile} (${code ?? (err as Error).message}): run as the user the agent runs as, or with sudo`,
    );
  }
  const env = parseEnv(text);
  const clientUrl = env.CLIENT_API_URL ?? '';
  if (!URL.canParse(clientUrl))
    throw new RotateKeyError(
      `${opts.envFile} has no valid CLIENT_API_URL ("${clientUrl}"): run scripts/setup-site again`,
    );
  const url = new URL(clientUrl);
  if (url.protocol === 'http:' && !isLoopback(url.hostname) && env.ALLOW_INSECURE_HTTP !== 'true') {
    throw new RotateKeyError(
      `${clientUrl} is plain http: the key would travel in clear. Use the https address in CLIENT_API_URL`,
    );
  }
  if (newKey === env.CLIENT_API_KEY)
    throw new RotateKeyError(
      "this is already the agent's key: create a new key in the web app (the site's Rotate key → Create new key)",
    );

  const origin = clientUrl.replace(/\/+$/, '').replace(/\/api$/, '');
  const client = (apiKey: string) =>
    new ClientApi({ origin, apiKey, timeoutMs: opts.timeoutMs ?? 15_000, logger: logger.child({ module: 'uplink' }) });
  let site: { id: number; name: string };
  try {
    const auth = await client(newKey).auth();
    site = { id: auth.site_id, name: auth.site_name };
  } catch (err) {
    const e = err as ClientApiError;
    if (e instanceof ClientApiError && (e.status === 401 || e.status === 403)) {
      throw new RotateKeyError(
        `the client system at ${origin} refuses the new key: it was mistyped, revoked, or replaced by a newer one. Copy the newest key again`,
      );
    }
    throw new RotateKeyError(
      `could not check the new key with the client system at ${origin}: ${e.message}. Nothing was changed; try again when the client system answers`,
    );
  }

  // The old key, when it still works, tells which site this agent belongs to: a key of another
  // site would file this site's readings under the other one.
  let oldKeyStillAccepted = false;
  if (env.CLIENT_API_KEY) {
    try {
      const current = await client(env.CLIENT_API_KEY).auth();
      oldKeyStillAccepted = true;
      if (current.site_id !== site.id) {
        throw new RotateKeyError(
          `the new key belongs to site "${site.name}" (id ${site.id}), but this agent is site "${current.site_name}" (id ${current.site_id}). Nothing was changed: use a key of "${current.site_name}"`,
        );
      }
    } catch (err) {
      if (err instanceof RotateKeyError) throw err;
      logger.warn('the client system no longer accepts the old key; cannot cross-check the site', {
        error: (err as Error).message,
      });
    }
  }

  const lines = text.split('\n');
  const at = lines.findIndex((l) => /^\s*(export\s+)?CLIENT_API_KEY\s*=/.test(l));
  if (at >= 0) lines[at] = `CLIENT_API_KEY=${newKey}`;
  else lines.splice(lines.at(-1) === '' ? lines.length - 1 : lines.length, 0, `CLIENT_API_KEY=${newKey}`);
  const mode = (await stat(opts.envFile)).mode & 0o777 & ~0o077;
  const tmp = path.join(
    path.dirname(opts.envFile),
    `.${path.basename(opts.envFile)}.${randomBytes(6).toString('hex')}.tmp`,
  );
  await writeFile(tmp, lines.join('\n'), { mode: mode || 0o600, flag: 'wx' });
  await rename(tmp, opts.envFile);
  logger.info('site API key replaced in the agent configuration', { site_id: site.id, envFile: opts.envFile });
  return { site, envFile: opts.envFile, oldKeyStillAccepted };
}
