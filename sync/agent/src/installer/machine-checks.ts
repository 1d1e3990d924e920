import { createSocket } from 'node:dgram';
import { statfs, mkdir } from 'node:fs/promises';
import os from 'node:os';

export interface ReportLine {
  /** Short name of the check, e.g. "Node.js version". */
  check: string;
  status: 'pass' | 'warn' | 'fail';
  /** What was found, in words an installer understands. */
  detail: string;
  /** What to do about it; empty when it passed. */
  fix?: string;
}

export interface Ipv4Interface {
  name: string;
  address: string;
  netmask: string;
  broadcast: string;
  internal: boolean;
}

/** Every IPv4 interface with its directed broadcast address (the usual reason discovery finds nothing). */
export function ipv4Interfaces(): Ipv4Interface[] {
  const out: Ipv4Interface[] = [];
  for (const [name, addrs] of Object.entries(os.networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.family !== 'IPv4') continue;
      out.push({
        name,
        address: a.address,
        netmask: a.netmask,
        broadcast: broadcastOf(a.address, a.netmask),
        internal: a.internal,
      });
    }
  }
  return out;
}

export function broadcastOf(address: string, netmask: string): string {
  const a = address.split('.').map(Number);
  const m = netmask.split('.').map(Number);
  return a.map((octet, i) => (octet & (m[i] ?? 0)) | (~(m[i] ?? 0) & 255)).join('.');
}

export function checkNodeVersion(version = process.versions.node): ReportLine {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const ok = major > 20 || (major === 20 && minor >= 19);
  return ok
    ? { check: 'Node.js version', status: 'pass', detail: `Node.js ${version}` }
    : {
        check: 'Node.js version',
        status: 'fail',
        detail: `Node.js ${version} is too old`,
        fix: 'install Node.js 20.19 or newer (e.g. from your distribution or nodejs.org) and run the setup again',
      };
}

export async function checkDisk(dir: string): Promise<ReportLine> {
  await mkdir(dir, { recursive: true });
  const s = await statfs(dir);
  const freeGb = (s.bavail * s.bsize) / 1024 ** 3;
  const detail = `${freeGb.toFixed(1)} GB free in ${dir}`;
  if (freeGb < 1)
    return {
      check: 'Disk space',
      status: 'fail',
      detail,
      fix: 'free at least 1 GB (the queue needs room to hold readings while the uplink is down)',
    };
  if (freeGb < 5)
    return {
      check: 'Disk space',
      status: 'warn',
      detail,
      fix: 'at least 5 GB is recommended so long outages can be bridged',
    };
  return { check: 'Disk space', status: 'pass', detail };
}

/** Whether the BACnet UDP port can be bound (another BACnet tool or agent often holds 47808). */
export function checkBacnetPort(address: string, port: number): Promise<ReportLine> {
  return new Promise((resolve) => {
    const s = createSocket({ type: 'udp4', reuseAddr: false });
    s.once('error', (err: NodeJS.ErrnoException) => {
      s.close();
      resolve({
        check: 'BACnet port',
        status: 'fail',
        detail: `UDP ${address}:${port} cannot be used (${err.code ?? err.message})`,
        fix:
          err.code === 'EADDRINUSE'
            ? 'another program (another agent, a BACnet browser such as YABE) is using the port: stop it, or choose another BACNET_PORT'
            : `check that ${address} is an address of this machine`,
      });
    });
    s.bind(port, address, () => {
      s.close();
      resolve({ check: 'BACnet port', status: 'pass', detail: `UDP ${address}:${port} is free` });
    });
  });
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

const toNumber = (address: string): number => address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);

/** Whether `address` lies in the subnet of `iface` (its address and netmask). */
export function inSubnet(address: string, iface: Pick<Ipv4Interface, 'address' | 'netmask'>): boolean {
  const mask = toNumber(iface.netmask);
  return (toNumber(address) & mask) >>> 0 === (toNumber(iface.address) & mask) >>> 0;
}

const describeInterfaces = (ifaces: Ipv4Interface[]): string =>
  ifaces.map((i) => `${i.name} ${i.address}/${i.netmask}`).join(', ') || 'none';

/**
 * The interface an address to bind belongs to: the one that has it, or a loopback interface whose
 * subnet holds it (Linux routes all of 127.0.0.0/8 to lo although lo lists only 127.0.0.1/8).
 * An unassigned address on a network card's subnet is no address of this machine.
 */
export function interfaceOf(
  bindAddress: string,
  ifaces: Ipv4Interface[] = ipv4Interfaces(),
): Ipv4Interface | undefined {
  return ifaces.find((i) => i.address === bindAddress) ?? ifaces.find((i) => i.internal && inSubnet(bindAddress, i));
}

/** Whether `--interface` is an address of this machine; names the interfaces that exist when it is not. */
export function checkInterface(bindAddress: string, ifaces: Ipv4Interface[] = ipv4Interfaces()): ReportLine {
  const check = 'BACnet interface';
  const existing = describeInterfaces(ifaces);
  const fix = `give this machine's address on the meters' network with --interface (BACNET_INTERFACE), one of: ${ifaces.map((i) => `${i.address} (${i.name})`).join(', ') || 'none'}; or 0.0.0.0 for all`;
  if (bindAddress === '0.0.0.0') return { check, status: 'pass', detail: `0.0.0.0: all interfaces (${existing})` };
  if (!IPV4.test(bindAddress))
    return {
      check,
      status: 'fail',
      detail: `"${bindAddress}" is not an IPv4 address; this machine's interfaces: ${existing}`,
      fix,
    };
  const iface = interfaceOf(bindAddress, ifaces);
  if (iface)
    return { check, status: 'pass', detail: `${bindAddress} on ${iface.name} (${iface.address}/${iface.netmask})` };
  const near = ifaces.find((i) => inSubnet(bindAddress, i));
  return {
    check,
    status: 'fail',
    detail: near
      ? `${bindAddress} is in the subnet of ${near.name} (${near.address}/${near.netmask}) but is not an address of this machine; this machine's interfaces: ${existing}`
      : `${bindAddress} is not an address of any interface of this machine; its interfaces: ${existing}`,
    fix,
  };
}

/** Which broadcast address to use: the one given, else the directed broadcast of the interface bound. */
export function checkBroadcast(
  bindAddress: string,
  broadcast: string | undefined,
  ifaces: Ipv4Interface[] = ipv4Interfaces(),
): { line: ReportLine; broadcast: string } {
  const list =
    ifaces
      .filter((i) => !i.internal)
      .map((i) => `${i.name} ${i.address}/${i.netmask} → ${i.broadcast}`)
      .join('; ') || 'none';
  // Bound to an address no interface has: any broadcast derived or checked would be another interface's.
  const bound = bindAddress === '0.0.0.0' ? null : interfaceOf(bindAddress, ifaces);
  if (bindAddress !== '0.0.0.0' && !bound) {
    return {
      broadcast: broadcast ?? '255.255.255.255',
      line: {
        check: 'Broadcast address',
        status: 'fail',
        detail: `${broadcast ? `${broadcast} not checked` : 'none derived'}: ${bindAddress} is no interface's address (interfaces: ${describeInterfaces(ifaces)})`,
        fix: 'fix --interface first (see "BACnet interface")',
      },
    };
  }
  if (broadcast) {
    if (broadcast === '255.255.255.255') {
      return {
        broadcast,
        line: {
          check: 'Broadcast address',
          status: 'warn',
          detail: `255.255.255.255 (interfaces: ${list})`,
          fix: 'limited broadcast often does not leave the first interface; use the meters subnet broadcast, e.g. 192.168.1.255',
        },
      };
    }
    if (bound && IPV4.test(broadcast) && !inSubnet(broadcast, bound)) {
      return {
        broadcast,
        line: {
          check: 'Broadcast address',
          status: 'warn',
          detail: `${broadcast} is not on the subnet of ${bindAddress} (${bound.name} ${bound.address}/${bound.netmask} → ${bound.broadcast})`,
          fix: `use the broadcast address of the interface's network (${bound.broadcast}), or bind the interface on the meters' network`,
        },
      };
    }
    return {
      broadcast,
      line: { check: 'Broadcast address', status: 'pass', detail: `${broadcast} (interfaces: ${list})` },
    };
  }
  const iface = bound ?? ifaces.find((i) => !i.internal);
  if (!iface) {
    return {
      broadcast: '255.255.255.255',
      line: {
        check: 'Broadcast address',
        status: 'warn',
        detail: 'no network interface found',
        fix: 'connect the machine to the meters network and set --broadcast',
      },
    };
  }
  return {
    broadcast: iface.broadcast,
    line: {
      check: 'Broadcast address',
      status: 'pass',
      detail: `${iface.broadcast} from ${iface.name} ${iface.address}/${iface.netmask} (interfaces: ${list})`,
    },
  };
}
