// The installer against the simulator (127.0.8.x) and a real client system: non-interactive,
// interactive with answers on stdin, and with a wrong key; and through a BBMD to meters on
// "another subnet" (127.0.15.20–.39: the meters there hear no broadcast, only the BBMD).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, existsSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '@meterit/shared/testing';
import { startSimulator, type Simulator } from '@meterit/simulator';
import { createSite, startClientSystem, startMetersBehindBbmd, type ClientSystem } from './helpers/system.js';

const NET = '127.0.8';
const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/cli/setup-site.js');

let client: ClientSystem;
let sim: Simulator;
let site: { site_id: number; api_key: string };
let siteDbUrl: string;
let clientDbUrl: string;

function runSetup(args: string[], stdin = ''): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('exit', (code) => resolve({ code, out }));
    child.stdin.end(stdin);
  });
}

function dirs() {
  const d = mkdtempSync(path.join(os.tmpdir(), 'meterit-setup-'));
  chmodSync(d, 0o755);
  return { target: path.join(d, 'agent'), data: path.join(d, 'data') };
}

const common = () => [
  '--interface',
  `${NET}.1`,
  '--port',
  '47808',
  '--broadcast',
  `${NET}.255`,
  '--discover-seconds',
  '1',
  '--database-url',
  siteDbUrl,
];

beforeAll(async () => {
  const pg = inject('pg');
  clientDbUrl = await createTestDatabase(pg, 'installer_client');
  siteDbUrl = await createTestDatabase(pg, 'installer_site');
  client = await startClientSystem(clientDbUrl);
  site = await createSite(clientDbUrl, 'New building');
  sim = await startSimulator({
    broadcastAddress: `${NET}.255`,
    meters: [
      { deviceId: 801, name: 'Main incomer', address: `${NET}.11` },
      { deviceId: 802, name: 'Old meter', address: `${NET}.12`, behaviour: { refuseRpm: 'reject' } },
      { deviceId: 803, name: 'Faulty meter', address: `${NET}.13`, behaviour: { fault: true } },
    ],
  });
});

afterAll(async () => {
  await sim?.stop();
  await client?.stop();
  await client?.db.destroy();
});

describe('setup-site', () => {
  it('when run non-interactively on a site network, then it discovers the meters, registers them, syncs a first batch and writes a passing report', async () => {
    const d = dirs();
    const { code, out } = await runSetup([
      '--yes',
      '--client-url',
      `${client.url}/api`,
      '--api-key',
      site.api_key,
      '--target-dir',
      d.target,
      '--data-dir',
      d.data,
      ...common(),
    ]);
    expect(out).toContain('RESULT: PASS');
    expect(code).toBe(0);

    const meters = JSON.parse(readFileSync(path.join(d.target, 'meters.json'), 'utf8')).meters;
    expect(meters.map((m: { id: string; name: string }) => [m.id, m.name])).toEqual([
      ['meter-801', 'Main incomer'],
      ['meter-802', 'Old meter'],
      ['meter-803', 'Faulty meter'],
    ]);
    expect(meters[0].data_points.map((p: { name: string; unit: string }) => `${p.name} ${p.unit}`)).toEqual([
      'total_kwh kWh',
      'current_kw kW',
      'voltage V',
      'current A',
    ]);

    const env = readFileSync(path.join(d.target, '.env'), 'utf8');
    expect(env).toContain(`CLIENT_API_KEY=${site.api_key}`);
    expect(env).toContain(`BACNET_BROADCAST_ADDRESS=${NET}.255`);
    expect(statSync(path.join(d.target, '.env')).mode & 0o777).toBe(0o600);
    // The dashboard's control token is generated, shown once, kept in .env — and never in the uploaded report.
    const token = /^LOCAL_API_TOKEN=(.+)$/m.exec(env)?.[1] ?? '';
    expect(token.length).toBeGreaterThanOrEqual(24);
    expect(out).toContain(token);
    expect(readFileSync(path.join(d.target, 'commissioning-report.json'), 'utf8')).not.toContain(token);
    expect(readFileSync(path.join(d.target, 'meterit-agent.service'), 'utf8')).toContain('ExecStart=');

    const central = await client
      .db('meters')
      .where({ site_id: site.site_id })
      .orderBy('external_id')
      .pluck('external_id');
    expect(central).toEqual(['meter-801', 'meter-802', 'meter-803']);
    const readings = await client
      .db('meter_readings')
      .where({ site_id: site.site_id })
      .count<{ count: number }[]>('* as count');
    expect(Number(readings[0]!.count)).toBe(12);

    const report = JSON.parse(readFileSync(path.join(d.target, 'commissioning-report.json'), 'utf8'));
    expect(report.passed).toBe(true);
    expect(report.site).toEqual({ id: site.site_id, name: 'New building' });
    const line = (check: string) => report.lines.find((l: { check: string }) => l.check === check);
    expect(line('First batch synced')).toMatchObject({
      status: 'pass',
      detail: '12 reading(s) stored, 0 duplicate(s)',
    });
    expect(line('Meter meter-803')).toMatchObject({ status: 'warn' });
    expect(line('Meter meter-803').detail).toContain('fault');
    const old = report.meters.find((m: { id: string }) => m.id === 'meter-802');
    expect(old.rpm_supported).toBe(false);
    expect(old.points.every((p: { answered: boolean }) => p.answered)).toBe(true);

    // The report went to the client system, for the site's page.
    expect(out).toContain("[PASS] Report uploaded: the report is on the site's page in the web app");
    expect(line('Report uploaded')).toMatchObject({ status: 'pass' });
    const uploaded = await client
      .db('commissioning_reports')
      .where({ site_id: site.site_id })
      .orderBy('id', 'desc')
      .first();
    expect(uploaded).toMatchObject({ passed: true, fail_count: 0, meter_count: 3 });
    expect(uploaded.report.site).toEqual({ id: site.site_id, name: 'New building' });
    expect(uploaded.report.lines.find((l: { check: string }) => l.check === 'First batch synced')).toMatchObject({
      status: 'pass',
    });
    expect(uploaded.report.meters.map((m: { id: string }) => m.id)).toEqual(['meter-801', 'meter-802', 'meter-803']);
  });

  it('when run interactively, then it asks for the client system, the key and the proposal, and uses the answers given', async () => {
    const d = dirs();
    const answers = [`${client.url}/api`, site.api_key, 'y', 'n'].join('\n') + '\n';
    const { code, out } = await runSetup(['--target-dir', d.target, '--data-dir', d.data, ...common()], answers);
    expect(out).toContain('Client system URL');
    expect(out).toContain('Accept these meters?');
    expect(out).toContain('Install the systemd service');
    expect(out).toContain('RESULT: PASS');
    expect(code).toBe(0);
    expect(existsSync(path.join(d.target, '.env'))).toBe(true);
  });

  it('when the API key is wrong, then the report fails with what to do, and no configuration is written', async () => {
    const d = dirs();
    const { code, out } = await runSetup([
      '--yes',
      '--client-url',
      `${client.url}/api`,
      '--api-key',
      'mk_0000000000000000_wrongwrongwrongwrongwrongwrongwrongwrong00',
      '--target-dir',
      d.target,
      '--data-dir',
      d.data,
      ...common(),
    ]);
    expect(code).toBe(1);
    expect(out).toContain('[FAIL] Client system and API key: the client system refused the API key');
    expect(out).toContain('copy the key again');
    expect(out).toContain('RESULT: FAIL');
    expect(existsSync(path.join(d.target, '.env'))).toBe(false);
  });

  it('when flags are wrong, then it says which and stops before touching anything', async () => {
    const { code, out } = await runSetup(['--yes', '--port', '99999', '--discover-seconds', 'x']);
    expect(code).toBe(2);
    expect(out).toContain('--port must be 1..65535');
    expect(out).toContain('--discover-seconds must be');
    expect(out).toContain('--client-url (or CLIENT_API_URL) is required with --yes');
  });
});

describe('setup-site with meters on another subnet', () => {
  const REMOTE = '127.0.15';
  let remote: Simulator;
  let remoteSite: { site_id: number; api_key: string };
  const here = () => [
    '--interface',
    `${REMOTE}.22`,
    '--port',
    '47808',
    '--broadcast',
    `${REMOTE}.255`,
    '--discover-seconds',
    '1',
    '--database-url',
    siteDbUrl,
  ];

  beforeAll(async () => {
    remoteSite = await createSite(clientDbUrl, 'Remote building');
    // The meters listen to no broadcast at all: only the BBMD at .21 puts a Who-Is on their network.
    remote = await startMetersBehindBbmd(`${REMOTE}.21`, [
      { deviceId: 1531, name: 'Remote incomer', address: `${REMOTE}.31` },
      { deviceId: 1532, name: 'Remote chiller', address: `${REMOTE}.32` },
    ]);
  });

  afterAll(async () => {
    await remote?.stop();
  });

  it('when the meters are on another subnet, then a plain broadcast finds none, and with --bbmd it registers as a foreign device, finds them and writes the BBMD to .env', async () => {
    const plain = dirs();
    const without = await runSetup([
      '--yes',
      '--client-url',
      `${client.url}/api`,
      '--api-key',
      remoteSite.api_key,
      '--target-dir',
      plain.target,
      '--data-dir',
      plain.data,
      ...here(),
    ]);
    expect(without.out).toContain(`[FAIL] BACnet discovery: no device answered Who-Is on ${REMOTE}.255`);
    expect(without.out).toContain('discover through its BBMD with --bbmd');
    expect(without.code).toBe(1);

    const d = dirs();
    const { code, out } = await runSetup([
      '--yes',
      '--client-url',
      `${client.url}/api`,
      '--api-key',
      remoteSite.api_key,
      '--target-dir',
      d.target,
      '--data-dir',
      d.data,
      '--bbmd',
      `${REMOTE}.21`,
      ...here(),
    ]);
    expect(out).toContain(
      `[PASS] Foreign-device registration with the BBMD at ${REMOTE}.21:47808: registered for 300 s`,
    );
    expect(out).toContain(`Who-Is through the BBMD at ${REMOTE}.21:47808`);
    expect(out).toContain('RESULT: PASS');
    expect(code).toBe(0);

    // The meters are proposed at their own addresses (not the BBMD's), and every point answered there.
    const meters = JSON.parse(readFileSync(path.join(d.target, 'meters.json'), 'utf8')).meters;
    expect(
      meters.map((m: { id: string; bacnet_ip: string; bacnet_port: number }) => [m.id, m.bacnet_ip, m.bacnet_port]),
    ).toEqual([
      ['meter-1531', `${REMOTE}.31`, 47808],
      ['meter-1532', `${REMOTE}.32`, 47808],
    ]);
    const report = JSON.parse(readFileSync(path.join(d.target, 'commissioning-report.json'), 'utf8'));
    expect(
      report.meters.flatMap((m: { points: Array<{ answered: boolean }> }) => m.points.map((p) => p.answered)),
    ).toEqual(Array(8).fill(true));
    const env = readFileSync(path.join(d.target, '.env'), 'utf8');
    expect(env).toContain(`BACNET_BBMD_ADDRESS=${REMOTE}.21:47808`);
    expect(env).toContain('BACNET_BBMD_TTL_SECONDS=300');
    // The BBMD holds the installer's registration and forwarded its Who-Is in its name.
    expect(
      remote
        .bbmd!.forwarded()
        .filter((f) => f.direction === 'to-network')
        .map((f) => f.originator),
    ).toEqual([`${REMOTE}.22:47808`]);
  });

  it('when the BBMD does not answer, then the report says the registration failed and what to check, and discovery is not tried', async () => {
    const d = dirs();
    const { code, out } = await runSetup([
      '--yes',
      '--client-url',
      `${client.url}/api`,
      '--api-key',
      remoteSite.api_key,
      '--target-dir',
      d.target,
      '--data-dir',
      d.data,
      '--bbmd',
      `${REMOTE}.29:47808`,
      ...here(),
    ]);
    expect(code).toBe(1);
    expect(out).toContain(
      `[FAIL] Foreign-device registration with the BBMD at ${REMOTE}.29:47808: the BBMD at ${REMOTE}.29:47808 did not answer the foreign-device registration`,
    );
    expect(out).toContain('that the device there is a BBMD with foreign-device registration enabled');
    expect(out).toContain(
      `[FAIL] BACnet discovery: not tried: the BBMD at ${REMOTE}.29:47808 did not accept this machine as a foreign device`,
    );
    expect(out).not.toContain('Looking for BACnet devices');
  });

  it('when --bbmd is not an address, then it says so and stops before touching anything', async () => {
    const { code, out } = await runSetup([
      '--yes',
      '--client-url',
      `${client.url}/api`,
      '--api-key',
      remoteSite.api_key,
      '--bbmd',
      'bbmd.site.local:99999',
    ]);
    expect(code).toBe(2);
    expect(out).toContain(
      'setup-site: --bbmd: "bbmd.site.local:99999" is not a BBMD address: give its IPv4 address with an optional UDP port',
    );
  });
});
