// The agent's configuration written by the installer: .env (with the site dashboard's control credential) and the
// systemd unit, installed to start on boot when asked.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Io, SetupOptions } from './setup-options.js';
import { yes, type AddLine } from './setup-run.js';

/** What setup found out that goes into .env. */
export interface AgentSettings {
  clientUrl: string;
  apiKey: string;
  metersFile: string;
  broadcast: string;
}

/**
 * .env and the systemd unit. The technicians' control credential for the site dashboard is made here (or taken
 * from --local-token) and shown once; it never goes into the report.
 */
export async function writeAgentConfig(
  opts: SetupOptions,
  settings: AgentSettings,
  io: Io,
  add: AddLine,
): Promise<{ envFile: string; unitFile: string }> {
  const { clientUrl, apiKey, metersFile, broadcast } = settings;
  const localApiToken = opts.localApiToken ?? randomBytes(24).toString('base64url');
  const envFile = path.join(opts.targetDir, '.env');
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    CLIENT_API_URL: clientUrl,
    CLIENT_API_KEY: apiKey,
    METERS_FILE: metersFile,
    SYNC_DATA_DIR: opts.dataDir,
    BACNET_INTERFACE: opts.bacnetInterface,
    BACNET_PORT: String(opts.bacnetPort),
    BACNET_BROADCAST_ADDRESS: broadcast,
    ...(opts.bbmd
      ? { BACNET_BBMD_ADDRESS: opts.bbmd.address, BACNET_BBMD_TTL_SECONDS: String(opts.bbmd.ttlSeconds) }
      : {}),
    ...(opts.databaseUrl
      ? { LOCAL_DATABASE_URL: opts.databaseUrl }
      : { EMBEDDED_PG_PORT: String(opts.embeddedPgPort) }),
    ...(opts.allowInsecureHttp ? { ALLOW_INSECURE_HTTP: 'true' } : {}),
    LOCAL_API_TOKEN: localApiToken,
  };
  await writeFile(
    envFile,
    `# Written by setup-site on ${new Date().toISOString()}\n` +
      Object.entries(env)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n') +
      '\n',
    { mode: 0o600 },
  );
  const unitFile = path.join(opts.targetDir, 'meterit-agent.service');
  await writeFile(
    unitFile,
    [
      '[Unit]',
      'Description=MeterIT site agent (BACnet collection and sync)',
      'After=network-online.target',
      'Wants=network-online.target',
      '',
      '[Service]',
      'Type=simple',
      `WorkingDirectory=${path.dirname(path.dirname(opts.agentEntry))}`,
      `EnvironmentFile=${envFile}`,
      `ExecStart=${opts.nodePath} ${opts.agentEntry}`,
      'Restart=always',
      'RestartSec=5',
      'KillSignal=SIGTERM',
      'TimeoutStopSec=60',
      '',
      '[Install]',
      'WantedBy=multi-user.target',
      '',
    ].join('\n'),
  );
  add({ check: 'Configuration written', status: 'pass', detail: `${envFile} (mode 600) and ${unitFile}` });
  io.say(
    `Site dashboard: http://<this machine>:3002/ — technicians log in for control actions with this token (kept in ${envFile} as LOCAL_API_TOKEN): ${localApiToken}`,
  );
  return { envFile, unitFile };
}

/** Install and start the systemd unit when asked (or when the installer says yes). */
export async function installService(opts: SetupOptions, unitFile: string, io: Io, add: AddLine): Promise<void> {
  const wantService = opts.interactive
    ? yes(await io.ask('Install the systemd service so the agent starts on boot?', opts.installService ? 'y' : 'n'))
    : opts.installService;
  if (wantService) {
    try {
      await copyFile(unitFile, '/etc/systemd/system/meterit-agent.service');
      execFileSync('systemctl', ['daemon-reload']);
      execFileSync('systemctl', ['enable', '--now', 'meterit-agent.service']);
      add({ check: 'Start on boot', status: 'pass', detail: 'meterit-agent.service enabled and started' });
    } catch (err) {
      add({
        check: 'Start on boot',
        status: 'fail',
        detail: (err as Error).message,
        fix: `as root: cp ${unitFile} /etc/systemd/system/ && systemctl daemon-reload && systemctl enable --now meterit-agent`,
      });
    }
  } else {
    add({
      check: 'Start on boot',
      status: 'warn',
      detail: 'the service was not installed',
      fix: `as root: cp ${unitFile} /etc/systemd/system/ && systemctl daemon-reload && systemctl enable --now meterit-agent (or start it by hand: scripts/start-sync.sh)`,
    });
  }
}
