// setup-site --interface with an address that is no interface's must FAIL and name the interfaces
// this machine has (os.networkInterfaces()), instead of taking another interface's broadcast and
// reporting PASS. Loopback addresses such as 127.0.46.1 are lo's on Linux (it routes 127.0.0.0/8
// there although lo lists only 127.0.0.1/8). Loopback range 127.0.46.x, UDP 47819 (no meters here).
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '@meterit/shared/testing';
import { checkBroadcast, checkInterface } from '../src/installer/machine-checks.js';

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/cli/setup-site.js');
let siteDbUrl: string;

/** What `ip -4 addr` would show: every IPv4 interface of this machine as "name address/netmask". */
const machineInterfaces = (): string[] =>
  Object.entries(os.networkInterfaces()).flatMap(([name, addrs]) =>
    (addrs ?? []).filter((a) => a.family === 'IPv4').map((a) => `${name} ${a.address}/${a.netmask}`),
  );

function runSetup(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('exit', (code) => resolve({ code, out }));
    child.stdin.end();
  });
}

function setupArgs(iface: string, extra: string[] = []): string[] {
  const d = mkdtempSync(path.join(os.tmpdir(), 'meterit-setup-iface-'));
  chmodSync(d, 0o755);
  // Nothing listens on port 9: the client system check fails at once, the machine checks still run.
  return [
    '--yes',
    '--client-url',
    'http://127.0.0.1:9/api',
    '--api-key',
    'k'.repeat(24),
    '--interface',
    iface,
    '--port',
    '47819',
    '--discover-seconds',
    '1',
    '--database-url',
    siteDbUrl,
    '--target-dir',
    path.join(d, 'agent'),
    '--data-dir',
    path.join(d, 'data'),
    ...extra,
  ];
}

const line = (out: string, check: string): string => out.split('\n').find((l) => l.includes(`] ${check}:`)) ?? '';

beforeAll(async () => {
  siteDbUrl = await createTestDatabase(inject('pg'), 'installer_interface_site');
});

describe('setup-site --interface', () => {
  it("when the address is no interface of this machine, then the interface and broadcast lines FAIL, naming the interfaces that exist, and nothing passes with another interface's broadcast", async () => {
    const { code, out } = await runSetup(setupArgs('10.99.99.99'));
    const iface = line(out, 'BACnet interface');
    expect(iface).toMatch(
      /^\[FAIL\] BACnet interface: 10\.99\.99\.99 is not an address of any interface of this machine/,
    );
    for (const existing of machineInterfaces()) expect(iface).toContain(existing);
    expect(line(out, 'Broadcast address')).toMatch(
      /^\[FAIL\] Broadcast address: none derived: 10\.99\.99\.99 is no interface's address/,
    );
    expect(out).not.toContain('[PASS] Broadcast address');
    expect(out).toContain('RESULT: FAIL');
    expect(code).toBe(1);
  });

  it("when the address is a loopback address other than 127.0.0.1, then it is lo's and the interface line passes", async () => {
    const { out } = await runSetup(setupArgs('127.0.46.1', ['--broadcast', '127.0.46.255']));
    expect(line(out, 'BACnet interface')).toBe('[PASS] BACnet interface: 127.0.46.1 on lo (127.0.0.1/255.0.0.0)');
    expect(line(out, 'Broadcast address')).toMatch(/^\[PASS\] Broadcast address: 127\.0\.46\.255/);
    expect(line(out, 'BACnet port')).toBe('[PASS] BACnet port: UDP 127.0.46.1:47819 is free');
    // The broadcast address was free: broadcast I-Am would be heard, so no warning about it.
    expect(line(out, 'Broadcast answers')).toBe('');
  });

  it('when another program holds the broadcast address, then the report warns that broadcast I-Am answers will be missed', async () => {
    const holder = createSocket({ type: 'udp4', reuseAddr: false });
    await new Promise<void>((resolve) => holder.bind(47819, '127.0.46.255', resolve));
    try {
      const { out } = await runSetup(setupArgs('127.0.46.1', ['--broadcast', '127.0.46.255']));
      expect(line(out, 'Broadcast answers')).toBe(
        '[WARN] Broadcast answers: cannot listen on 127.0.46.255:47819 (EADDRINUSE): meters that answer Who-Is with a broadcast I-Am will not be found',
      );
    } finally {
      holder.close();
    }
  });

  it("when no broadcast is given, then it is the one of the interface holding the address (lo's for 127.0.46.1), never another interface's", () => {
    expect(checkBroadcast('127.0.46.1', undefined)).toMatchObject({
      broadcast: '127.255.255.255',
      line: { status: 'pass' },
    });
    const lines = [
      checkInterface('10.99.99.99'),
      checkBroadcast('10.99.99.99', undefined).line,
      checkBroadcast('10.99.99.99', '10.99.99.255').line,
    ];
    expect(lines.map((l) => l.status)).toEqual(['fail', 'fail', 'fail']);
    expect(lines[0]?.fix).toContain('127.0.0.1 (lo)');
  });

  it("when the address is unassigned on a network card's subnet, then it fails naming that subnet", () => {
    const ifaces = [
      { name: 'lo', address: '127.0.0.1', netmask: '255.0.0.0', broadcast: '127.255.255.255', internal: true },
      { name: 'eth0', address: '192.168.1.20', netmask: '255.255.255.0', broadcast: '192.168.1.255', internal: false },
    ];
    expect(checkInterface('192.168.1.20', ifaces)).toMatchObject({
      status: 'pass',
      detail: '192.168.1.20 on eth0 (192.168.1.20/255.255.255.0)',
    });
    expect(checkInterface('192.168.1.77', ifaces)).toMatchObject({
      status: 'fail',
      detail:
        "192.168.1.77 is in the subnet of eth0 (192.168.1.20/255.255.255.0) but is not an address of this machine; this machine's interfaces: lo 127.0.0.1/255.0.0.0, eth0 192.168.1.20/255.255.255.0",
    });
    expect(checkBroadcast('192.168.1.20', '10.0.0.255', ifaces).line).toMatchObject({ status: 'warn' });
    expect(checkBroadcast('192.168.1.20', undefined, ifaces)).toMatchObject({ broadcast: '192.168.1.255' });
  });
});
