// The installer when the meters.json names a device id that is not the device at the address
// (an installer's typo, a swapped meter): the commissioning report fails that meter naming both
// ids, and nothing of the other device is sent. The simulator (127.0.44.5x, unicast discovery
// only) and a real client system.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '@meterit/shared/testing';
import { startSimulator, type Simulator } from '@meterit/simulator';
import { createSite, startClientSystem, waitUntil, type ClientSystem } from './helpers/system.js';

const NET = '127.0.44';
const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/cli/setup-site.js');

let client: ClientSystem;
let sim: Simulator;
let site: { site_id: number; api_key: string };
let siteDbUrl: string;

beforeAll(async () => {
  const pg = inject('pg');
  const clientDbUrl = await createTestDatabase(pg, 'installer_wrong_device_client');
  siteDbUrl = await createTestDatabase(pg, 'installer_wrong_device_site');
  client = await startClientSystem(clientDbUrl);
  site = await createSite(clientDbUrl, 'Swapped meter building');
  sim = await startSimulator({
    listenBroadcast: false,
    meters: [
      { deviceId: 4451, name: 'Main incomer', address: `${NET}.51` },
      { deviceId: 100011, name: 'Sub meter', address: `${NET}.52` },
    ],
  });
});

afterAll(async () => {
  await sim?.stop();
  await client?.stop();
  await client?.db.destroy();
});

describe('setup-site with a wrong device id', () => {
  it('when meters.json says device 100099 where device 100011 answers, then the report fails that meter naming both ids and sends nothing of it', async () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'meterit-setup-'));
    chmodSync(d, 0o755);
    const target = path.join(d, 'agent');
    const child = spawn(
      process.execPath,
      [
        cli,
        '--target-dir',
        target,
        '--data-dir',
        path.join(d, 'data'),
        '--interface',
        `${NET}.50`,
        '--port',
        '47808',
        '--broadcast',
        `${NET}.255`,
        '--discover',
        `${NET}.51,${NET}.52`,
        '--discover-seconds',
        '1',
        '--database-url',
        siteDbUrl,
      ],
      { env: { PATH: process.env.PATH ?? '' }, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const answer = async (prompt: string, line: string) => {
      await waitUntil(`the prompt "${prompt}"`, async () => out.includes(prompt), 60_000);
      child.stdin.write(`${line}\n`);
    };
    await answer('Client system URL', `${client.url}/api`);
    await answer("This site's API key", site.api_key);
    // The installer edits the proposal: the sub meter gets the device id from an old plan.
    await waitUntil('the proposal', async () => out.includes('Accept these meters?'), 60_000);
    const file = path.join(target, 'meters.json');
    const proposal = JSON.parse(readFileSync(file, 'utf8')) as {
      meters: Array<{ id: string; bacnet_device_id: number }>;
    };
    const sub = proposal.meters.find((m) => m.bacnet_device_id === 100011)!;
    sub.bacnet_device_id = 100099;
    writeFileSync(file, JSON.stringify(proposal, null, 2));
    child.stdin.write('e\n');
    await answer('Install the systemd service', 'n');
    child.stdin.end();
    const code = await exited;

    expect(out).toContain(
      `[FAIL] Meter ${sub.id}: wrong device: configured as device 100099, but device 100011 answers at ${NET}.52:47808`,
    );
    expect(out).toContain('RESULT: FAIL');
    expect(code).toBe(1);
    const report = JSON.parse(readFileSync(path.join(target, 'commissioning-report.json'), 'utf8'));
    const line = report.lines.find((l: { check: string }) => l.check === `Meter ${sub.id}`);
    expect(line).toMatchObject({ status: 'fail' });
    expect(line.detail).toContain('100099');
    expect(line.detail).toContain('100011');
    expect(
      report.meters
        .find((m: { id: string }) => m.id === sub.id)
        .points.every((p: { answered: boolean }) => !p.answered),
    ).toBe(true);
    // The right meter passed and its first batch went to the client system; nothing under the sub meter.
    expect(report.lines.find((l: { check: string }) => l.check === 'Meter meter-4451')).toMatchObject({
      status: 'pass',
    });
    const central = await client.db('meter_readings').where({ site_id: site.site_id }).select('data_point', 'meter_id');
    expect(central).toHaveLength(4);
  });
});
