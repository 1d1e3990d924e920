import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MeterConfig, SyncReading } from '@meterit/shared';
import { createLogger, openDatabase, type Logger } from '@meterit/shared/node';
import { BacnetAdapter, type DiscoveredDevice } from '../meters/bacnet/index.js';
import { siteMigrations } from '../db/migrations/index.js';
import { installService, writeAgentConfig } from './agent-config.js';
import { connectClientSystem, registerAndSendFirstBatch, uploadReport } from './client-system.js';
import { meterReadLine } from './commissioning.js';
import { checkBacnetPort, checkBroadcast, checkDisk, checkInterface, checkNodeVersion } from './machine-checks.js';
import { settleMeters } from './meters-proposal.js';
import { proposeMeters } from './propose-meters.js';
import type { Io, SetupOptions, SetupResult } from './setup-options.js';
import { SetupRun, type AddLine } from './setup-run.js';

export type { Io, SetupOptions, SetupResult } from './setup-options.js';

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
  const run = new SetupRun(io, opts.agentVersion);
  const add = run.add;

  // 1. The machine.
  add(checkNodeVersion());
  add(await checkDisk(opts.dataDir));
  add(checkInterface(opts.bacnetInterface));
  const portLine = add(await checkBacnetPort(opts.bacnetInterface, opts.bacnetPort));
  const { line: bcLine, broadcast } = checkBroadcast(opts.bacnetInterface, opts.broadcast);
  add(bcLine);

  // 2. The local database.
  await checkLocalDatabase(opts, logger, add);

  // 3. The client system and the site's key.
  let clientUrl = opts.clientUrl ?? '';
  let apiKey = opts.apiKey ?? '';
  if (opts.interactive) {
    clientUrl = (await io.ask('Client system URL (e.g. https://meterit.example.com/api)', clientUrl)).trim();
    apiKey = (await io.ask("This site's API key (from the operators' web app)", apiKey)).trim();
  }
  const api = await connectClientSystem(opts, clientUrl, apiKey, run, logger);

  // 4. Discovery.
  let adapter: BacnetAdapter | null = null;
  let devices: DiscoveredDevice[] = [];
  if (portLine.status !== 'fail') ({ adapter, devices } = await discoverDevices(opts, broadcast, io, add, logger));

  // 5. The proposal, accepted or edited.
  const { meters, metersFile } = await settleMeters(proposeMeters(devices), opts, io, add);

  // 6. One read of every point: answered, value, unit, response time, RPM support.
  const firstBatch = adapter && meters.length > 0 ? await readEveryPoint(adapter, meters, run) : [];
  await adapter?.close();

  // 7. Register the meters and send the first batch through the real upload path.
  if (api && meters.length > 0) await registerAndSendFirstBatch(api, meters, firstBatch, add);

  if (run.lines.some((l) => l.status === 'fail') && !api) {
    // Without the client system there is nothing to configure the agent with.
    return run.finish(null);
  }

  // 8. .env and the systemd unit.
  const { envFile, unitFile } = await writeAgentConfig(opts, { clientUrl, apiKey, metersFile, broadcast }, io, add);
  await installService(opts, unitFile, io, add);

  // 9. The report, kept here and shown on the site's page in the client system.
  const reportJson = path.join(opts.targetDir, 'commissioning-report.json');
  const reportText = path.join(opts.targetDir, 'commissioning-report.txt');
  if (api) await uploadReport(api, run, reportText);
  const result = run.finish({ env: envFile, meters: metersFile, unit: unitFile, reportText, reportJson });
  await writeFile(reportJson, JSON.stringify(result.report, null, 2) + '\n');
  await writeFile(reportText, result.text + '\n');
  return result;
}

/** The local database opens (the embedded one is created) and migrates. */
async function checkLocalDatabase(opts: SetupOptions, logger: Logger, add: AddLine): Promise<void> {
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
}

/**
 * Who-Is (broadcast, to given addresses, or through a BBMD once registered with it) and what answered. The adapter
 * stays open for the first read; null when it could not be opened.
 */
async function discoverDevices(
  opts: SetupOptions,
  broadcast: string,
  io: Io,
  add: AddLine,
  logger: Logger,
): Promise<{ adapter: BacnetAdapter | null; devices: DiscoveredDevice[] }> {
  let adapter: BacnetAdapter | null = null;
  let devices: DiscoveredDevice[] = [];
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
  return { adapter, devices };
}

/** The report line on the foreign-device registration; true when the BBMD accepted it. */
async function registerWithBbmd(
  adapter: Pick<BacnetAdapter, 'registerForeignDevice'>,
  bbmd: { address: string; ttlSeconds: number },
  add: AddLine,
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

/** One read of every point of every meter: the report's meter rows and lines, and the readings of the first batch. */
async function readEveryPoint(adapter: BacnetAdapter, meters: MeterConfig[], run: SetupRun): Promise<SyncReading[]> {
  const firstBatch: SyncReading[] = [];
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
    run.meterRows.push({
      id: m.id,
      name: m.name,
      device_id: m.bacnet_device_id,
      address: `${m.bacnet_ip}:${m.bacnet_port ?? 47808}`,
      rpm_supported: info.rpmSupported,
      points,
    });
    const wrong = results.find((r) => !r.ok && r.code === 'WRONG_DEVICE');
    run.add(meterReadLine(m, points, wrong && !wrong.ok ? wrong : undefined, ms, info.rpmSupported));
  }
  return firstBatch;
}
