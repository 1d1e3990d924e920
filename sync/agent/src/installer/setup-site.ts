import { writeFile, mkdir, copyFile, readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { SyncReading } from '@meterit/shared';
import { createLogger, openDatabase, type Logger } from '@meterit/shared/node';
import { BacnetAdapter, type DiscoveredDevice } from '../meters/bacnet/index.js';
import { siteMigrations } from '../db/migrations/index.js';
import { ClientApi, ClientApiError } from '../uploader/client-api.js';
import { isLoopback } from '../config.js';
import { parseMetersFile } from '../meters/meters-file.js';
import {
  checkBacnetPort,
  checkBroadcast,
  checkDisk,
  checkInterface,
  checkNodeVersion,
  type ReportLine,
} from './machine-checks.js';
import { proposeMeters } from './propose-meters.js';
import { buildReport, formatReport, wrongDeviceDetail, type CommissioningReport } from './commissioning.js';

export interface SetupOptions {
  clientUrl?: string | undefined;
  apiKey?: string | undefined;
  allowInsecureHttp: boolean;
  bacnetInterface: string;
  bacnetPort: number;
  broadcast?: string | undefined;
  /** Who-Is to these addresses instead of (or as well as) broadcasting. */
  discoverAddresses: string[];
  /** Meters on another subnet: register as a foreign device with this BBMD (`ip:port`) and discover through it. */
  bbmd?: { address: string; ttlSeconds: number } | undefined;
  discoverTimeoutMs: number;
  deviceLow?: number | undefined;
  deviceHigh?: number | undefined;
  /** Where .env, meters.json, the systemd unit and the report are written. */
  targetDir: string;
  /** SYNC_DATA_DIR of the agent: the embedded database lives there. */
  dataDir: string;
  embeddedPgPort: number;
  /** An existing PostgreSQL instead of the embedded one. */
  databaseUrl?: string | undefined;
  interactive: boolean;
  installService: boolean;
  /** The site dashboard's control credential; generated when absent. */
  localApiToken?: string | undefined;
  agentVersion: string;
  /** Node binary and agent entry for the systemd unit. */
  nodePath: string;
  agentEntry: string;
}

export interface Io {
  ask(question: string, defaultAnswer?: string): Promise<string>;
  say(line: string): void;
}

export interface SetupResult {
  report: CommissioningReport;
  text: string;
  files: { env: string; meters: string; unit: string; reportText: string; reportJson: string } | null;
}

const yes = (a: string) => /^(y|yes|j|ja|o|oui)?$/i.test(a.trim());

/** The report line on the foreign-device registration; true when the BBMD accepted it. */
async function registerWithBbmd(
  adapter: BacnetAdapter,
  bbmd: { address: string; ttlSeconds: number },
  add: (l: ReportLine) => ReportLine,
): Promise<boolean> {
  const check = `Foreign-device registration with the BBMD at ${bbmd.address}`;
  try {
    await adapter.registerForeignDevice();
    add({
      check,
      status: 'pass',
      detail: `registered for ${bbmd.ttlSeconds} s (the agent renews it at half that); Who-Is goes through the BBMD to the meters' network`,
    });
    return true;
  } catch (err) {
    add({
      check,
      status: 'fail',
      detail: (err as Error).message,
      fix: `check the BBMD address and port (--bbmd), that the device there is a BBMD with foreign-device registration enabled and a free entry in its foreign device table, and that UDP ${bbmd.address.split(':')[1]} is open both ways between this machine and it`,
    });
    return false;
  }
}

/**
 * Bring a new site from nothing to streaming data: check the machine, set up the local
 * database, verify the client system and the key, discover the meters, propose and register
 * a meters.json, write .env and a systemd unit, and say in a report what works and what not.
 */
export async function setupSite(
  opts: SetupOptions,
  io: Io,
  logger: Logger = createLogger({ service: 'setup-site', silent: true }),
): Promise<SetupResult> {
  const lines: ReportLine[] = [];
  const add = (l: ReportLine) => {
    lines.push(l);
    io.say(
      `[${l.status.toUpperCase()}] ${l.check}: ${l.detail}${l.fix && l.status !== 'pass' ? `\n       → ${l.fix}` : ''}`,
    );
    return l;
  };
  let site: { id: number | null; name: string | null } = { id: null, name: null };
  const meterRows: CommissioningReport['meters'] = [];
  const finish = (files: SetupResult['files']): SetupResult => {
    const report = buildReport({ site, agent_version: opts.agentVersion, lines, meters: meterRows });
    return { report, text: formatReport(report), files };
  };

  // 1. The machine.
  add(checkNodeVersion());
  add(await checkDisk(opts.dataDir));
  add(checkInterface(opts.bacnetInterface));
  const portLine = add(await checkBacnetPort(opts.bacnetInterface, opts.bacnetPort));
  const { line: bcLine, broadcast } = checkBroadcast(opts.bacnetInterface, opts.broadcast);
  add(bcLine);

  // 2. The local database.
  try {
    const db = await openDatabase({
      url: opts.databaseUrl,
      embedded: opts.databaseUrl
        ? undefined
        : { dataDir: path.join(opts.dataDir, 'postgres'), port: opts.embeddedPgPort, database: 'meterit_sync' },
      migrations: siteMigrations,
      logger: logger.child({ module: 'db' }),
    });
    add({ check: 'Local database', status: 'pass', detail: `ready: ${db.describe}` });
    await db.close();
  } catch (err) {
    add({
      check: 'Local database',
      status: 'fail',
      detail: (err as Error).message,
      fix: opts.databaseUrl
        ? 'check the PostgreSQL URL, user and password, and that the server accepts connections'
        : `check that ${opts.dataDir} is writable and port ${opts.embeddedPgPort} is free`,
    });
  }

  // 3. The client system and the site's key.
  let clientUrl = opts.clientUrl ?? '';
  let apiKey = opts.apiKey ?? '';
  if (opts.interactive) {
    clientUrl = (await io.ask('Client system URL (e.g. https://meterit.example.com/api)', clientUrl)).trim();
    apiKey = (await io.ask("This site's API key (from the operators' web app)", apiKey)).trim();
  }
  let api: ClientApi | null = null;
  if (!URL.canParse(clientUrl)) {
    add({
      check: 'Client system',
      status: 'fail',
      detail: `"${clientUrl}" is not a URL`,
      fix: 'give the address of the client system, such as https://meterit.example.com/api',
    });
  } else if (
    new URL(clientUrl).protocol === 'http:' &&
    !isLoopback(new URL(clientUrl).hostname) &&
    !opts.allowInsecureHttp
  ) {
    add({
      check: 'Client system',
      status: 'fail',
      detail: `${clientUrl} is plain http: the API key would travel in clear`,
      fix: 'use the https address, or pass --allow-insecure-http on a trusted network',
    });
  } else {
    const origin = clientUrl.replace(/\/+$/, '').replace(/\/api$/, '');
    const candidate = new ClientApi({ origin, apiKey, timeoutMs: 15_000, logger: logger.child({ module: 'uplink' }) });
    const t0 = Date.now();
    try {
      const auth = await candidate.auth();
      const t1 = Date.now();
      site = { id: auth.site_id, name: auth.site_name };
      api = candidate;
      add({
        check: 'Client system and API key',
        status: 'pass',
        detail: `${origin} accepted the key of site "${auth.site_name}" (id ${auth.site_id})`,
      });
      const offset = Date.parse(auth.server_time) - (t0 + t1) / 2;
      const abs = Math.abs(offset);
      add(
        abs <= 5000
          ? {
              check: 'Clock',
              status: 'pass',
              detail: `this machine's clock is within ${Math.round(abs)} ms of the client system`,
            }
          : {
              check: 'Clock',
              status: abs > 60_000 ? 'fail' : 'warn',
              detail: `this machine's clock is ${(offset / 1000).toFixed(1)} s ${offset > 0 ? 'behind' : 'ahead of'} the client system`,
              fix: 'turn on time synchronisation (timedatectl set-ntp true) — reading timestamps come from this clock',
            },
      );
    } catch (err) {
      const e = err as ClientApiError;
      add(
        e.code === 'UPLINK_UNREACHABLE'
          ? {
              check: 'Client system and API key',
              status: 'fail',
              detail: e.message,
              fix: 'check the URL, DNS, the firewall and the proxy of this site; the client system must be reachable over HTTPS',
            }
          : e.status === 401
            ? {
                check: 'Client system and API key',
                status: 'fail',
                detail: 'the client system refused the API key',
                fix: 'copy the key again from the site page of the web app (it is shown once; an admin can rotate it)',
              }
            : {
                check: 'Client system and API key',
                status: 'fail',
                detail: e.message,
                fix: 'check the URL: it must point at the MeterIT client system',
              },
      );
    }
  }

  // 4. Discovery.
  let adapter: BacnetAdapter | null = null;
  let devices: DiscoveredDevice[] = [];
  if (portLine.status !== 'fail') {
    try {
      adapter = await BacnetAdapter.open({
        interface: opts.bacnetInterface,
        port: opts.bacnetPort,
        broadcastAddress: broadcast,
        apduTimeoutMs: 3000,
        ...(opts.bbmd ? { bbmd: opts.bbmd } : {}),
        logger: logger.child({ module: 'bacnet' }),
      });
      // Bound to one address, broadcast I-Am arrive on a second socket on the broadcast address; say when it could not be had.
      const heard = adapter.broadcastListenerStatus();
      if (heard.state === 'unavailable') {
        add({
          check: 'Broadcast answers',
          status: 'warn',
          detail: `cannot listen on ${heard.address} (${heard.error}): meters that answer Who-Is with a broadcast I-Am will not be found`,
          fix:
            heard.error === 'EADDRINUSE'
              ? 'another program on this machine holds that address (a running agent, a BACnet tool): stop it and run the setup again, or use --interface 0.0.0.0'
              : 'check --broadcast',
        });
      }
      // Through a BBMD only Who-Is without --discover addresses goes there; it needs the registration first.
      const viaBbmd = opts.bbmd && !opts.discoverAddresses.length ? opts.bbmd : null;
      if (viaBbmd && !(await registerWithBbmd(adapter, viaBbmd, add))) {
        add({
          check: 'BACnet discovery',
          status: 'fail',
          detail: `not tried: the BBMD at ${viaBbmd.address} did not accept this machine as a foreign device`,
          fix: 'fix the foreign-device registration first (see above)',
        });
      } else {
        const whoIsTo = opts.discoverAddresses.length
          ? opts.discoverAddresses.join(', ')
          : viaBbmd
            ? `the BBMD at ${viaBbmd.address}`
            : broadcast;
        io.say(
          `Looking for BACnet devices (Who-Is ${viaBbmd ? 'through' : 'to'} ${whoIsTo}, ${opts.discoverTimeoutMs / 1000} s)…`,
        );
        devices = await adapter.discover({
          timeoutMs: opts.discoverTimeoutMs,
          ...(opts.deviceLow !== undefined ? { lowLimit: opts.deviceLow } : {}),
          ...(opts.deviceHigh !== undefined ? { highLimit: opts.deviceHigh } : {}),
          ...(opts.discoverAddresses.length ? { address: opts.discoverAddresses } : {}),
        });
        const withPoints = devices.filter((d) => d.points.length > 0);
        add(
          devices.length === 0
            ? viaBbmd
              ? {
                  check: 'BACnet discovery',
                  status: 'fail',
                  detail: `no device answered Who-Is through the BBMD at ${viaBbmd.address}`,
                  fix: "check that the meters are powered and on the BBMD's own network, or give their addresses with --discover",
                }
              : {
                  check: 'BACnet discovery',
                  status: 'fail',
                  detail: `no device answered Who-Is on ${broadcast}`,
                  fix: 'check the broadcast address (the meters subnet, e.g. 192.168.1.255), that the meters are powered and on this network, give their addresses with --discover, or, when they are on another subnet, discover through its BBMD with --bbmd',
                }
            : {
                check: 'BACnet discovery',
                status: withPoints.length ? 'pass' : 'warn',
                detail: `${devices.length} device(s) found, ${withPoints.length} with analog points: ${devices.map((d) => `${d.deviceId} "${d.objectName ?? '?'}" ${d.vendorName ?? ''} at ${d.address}:${d.port}`).join('; ')}`,
              },
        );
        for (const d of devices) {
          if (d.errors.length)
            add({
              check: `Device ${d.deviceId}`,
              status: 'warn',
              detail: d.errors.join('; '),
              fix: 'the device answered partly; check its BACnet settings',
            });
        }
      }
    } catch (err) {
      add({
        check: 'BACnet discovery',
        status: 'fail',
        detail: (err as Error).message,
        fix: 'check BACNET_INTERFACE and BACNET_PORT',
      });
    }
  }

  // 5. The proposal, accepted or edited.
  let meters = proposeMeters(devices);
  const metersFile = path.join(opts.targetDir, 'meters.json');
  await mkdir(opts.targetDir, { recursive: true });
  if (meters.length > 0) {
    await writeFile(metersFile, JSON.stringify({ meters }, null, 2) + '\n');
    io.say(`Proposed ${meters.length} meter(s), written to ${metersFile}:`);
    for (const m of meters)
      io.say(
        `  ${m.id}  "${m.name}"  ${m.bacnet_ip}:${m.bacnet_port}  points: ${m.data_points.map((p) => `${p.name}${p.unit ? ` (${p.unit})` : ''}`).join(', ')}`,
      );
    if (opts.interactive) {
      for (;;) {
        const a = await io.ask(`Accept these meters? (y = accept, e = I edited ${metersFile}, reload it)`, 'y');
        if (/^e/i.test(a.trim())) {
          try {
            meters = parseMetersFile(await readFile(metersFile, 'utf8'), metersFile);
            io.say(`Reloaded ${meters.length} meter(s) from ${metersFile}.`);
          } catch (err) {
            io.say(`That file has problems: ${(err as Error).message}`);
            continue;
          }
        }
        if (yes(a) || /^e/i.test(a.trim())) break;
        io.say('Edit the file, then answer "e".');
      }
    }
    add({
      check: 'meters.json',
      status: 'pass',
      detail: `${meters.length} meter(s), ${meters.reduce((n, m) => n + m.data_points.length, 0)} data points in ${metersFile}`,
    });
  }

  // 6. One read of every point: answered, value, unit, response time, RPM support.
  const firstBatch: SyncReading[] = [];
  if (adapter && meters.length > 0) {
    const ts = new Date().toISOString();
    for (const m of meters) {
      const device = { deviceId: m.bacnet_device_id, address: m.bacnet_ip, port: m.bacnet_port ?? 47808 };
      const started = Date.now();
      const results = await adapter.readPoints(
        device,
        m.data_points.map((p) => ({
          objectType: p.object_type,
          instance: p.instance,
          property: p.property ?? 'presentValue',
        })),
      );
      const ms = Date.now() - started;
      const info = adapter.deviceInfo(device);
      const points = m.data_points.map((p, i) => {
        const r = results[i];
        if (r?.ok) {
          firstBatch.push({
            meter_external_id: m.id,
            data_point: p.name,
            timestamp: ts,
            value: r.value,
            unit: p.unit ?? r.unitSymbol ?? null,
            quality: r.quality,
          });
          return {
            name: p.name,
            answered: true,
            value: r.value,
            unit: p.unit ?? r.unitSymbol ?? null,
            quality: r.quality,
            response_ms: ms,
            error: null,
          };
        }
        return {
          name: p.name,
          answered: false,
          value: null,
          unit: p.unit ?? null,
          quality: null,
          response_ms: ms,
          error: r ? `${r.code}: ${r.message}` : 'no result',
        };
      });
      meterRows.push({
        id: m.id,
        name: m.name,
        device_id: m.bacnet_device_id,
        address: `${m.bacnet_ip}:${m.bacnet_port ?? 47808}`,
        rpm_supported: info.rpmSupported,
        points,
      });
      const failed = points.filter((p) => !p.answered);
      const flagged = points.filter((p) => p.answered && p.quality !== 'good');
      const wrong = results.find((r) => !r.ok && r.code === 'WRONG_DEVICE');
      add(
        wrong && !wrong.ok
          ? {
              check: `Meter ${m.id}`,
              status: 'fail',
              detail: wrongDeviceDetail(
                m.bacnet_device_id,
                wrong.foundDeviceId ?? null,
                `${m.bacnet_ip}:${m.bacnet_port ?? 47808}`,
              ),
              fix: "set the meter's bacnet_device_id to the device that is really there, or its bacnet_ip to the address of the configured device (a DHCP change?)",
            }
          : failed.length === points.length
            ? {
                check: `Meter ${m.id}`,
                status: 'fail',
                detail: `no data point answered (${failed[0]?.error})`,
                fix: 'check the meter is powered and reachable, its device id and address, and its BACnet port',
              }
            : failed.length > 0
              ? {
                  check: `Meter ${m.id}`,
                  status: 'warn',
                  detail: `${failed.length} of ${points.length} points did not answer: ${failed.map((p) => p.name).join(', ')}`,
                  fix: 'remove those points from meters.json or check their object type and instance',
                }
              : flagged.length > 0
                ? {
                    check: `Meter ${m.id}`,
                    status: 'warn',
                    detail: `answers, but reports ${flagged.map((p) => `${p.name}: ${p.quality}`).join(', ')}`,
                    fix: 'the meter flags its own values (fault, alarm, overridden or out of service): check the meter itself',
                  }
                : {
                    check: `Meter ${m.id}`,
                    status: 'pass',
                    detail: `all ${points.length} points answered in ${ms} ms${info.rpmSupported === false ? ' (no ReadPropertyMultiple: read point by point, slower)' : ''}`,
                  },
      );
    }
  }
  await adapter?.close();

  // 7. Register the meters and send the first batch through the real upload path.
  if (api && meters.length > 0) {
    try {
      const r = await api.registerMeters(meters);
      add({
        check: 'Meters registered',
        status: 'pass',
        detail: `${r.created.length} new, ${r.existing.length} already known by the client system`,
      });
      if (firstBatch.length > 0) {
        const answer = await api.postBatch({ batch_id: `commissioning-${Date.now()}`, readings: firstBatch });
        add(
          answer.kind === 'accepted'
            ? {
                check: 'First batch synced',
                status: 'pass',
                detail: `${answer.body.stored} reading(s) stored, ${answer.body.duplicates} duplicate(s)`,
              }
            : {
                check: 'First batch synced',
                status: 'fail',
                detail:
                  answer.kind === 'rejected'
                    ? `rejected: ${answer.body.rejected.map((x) => x.reason).join('; ')}`
                    : 'the client system found the batch too large',
                fix: 'send this report to the operators',
              },
        );
      }
    } catch (err) {
      add({
        check: 'Meters registered',
        status: 'fail',
        detail: (err as Error).message,
        fix: 'try again; if it persists, send this report to the operators',
      });
    }
  }

  if (lines.some((l) => l.status === 'fail') && !api) {
    // Without the client system there is nothing to configure the agent with.
    return finish(null);
  }

  // 8. .env and the systemd unit. The technicians' control credential for the site dashboard is
  // made here (or taken from --local-token) and shown once; it never goes into the report.
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

  // 9. The report, kept here and shown on the site's page in the client system.
  const reportJson = path.join(opts.targetDir, 'commissioning-report.json');
  const reportText = path.join(opts.targetDir, 'commissioning-report.txt');
  if (api) {
    try {
      await api.uploadCommissioningReport(
        buildReport({ site, agent_version: opts.agentVersion, lines, meters: meterRows }),
      );
      add({ check: 'Report uploaded', status: 'pass', detail: "the report is on the site's page in the web app" });
    } catch (err) {
      add({
        check: 'Report uploaded',
        status: 'warn',
        detail: (err as Error).message,
        fix: `send ${reportText} to the operators`,
      });
    }
  }
  const result = finish({ env: envFile, meters: metersFile, unit: unitFile, reportText, reportJson });
  await writeFile(reportJson, JSON.stringify(result.report, null, 2) + '\n');
  await writeFile(reportText, result.text + '\n');
  return result;
}
