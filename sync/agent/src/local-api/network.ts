import { isIPv4, isIPv6 } from 'node:net';
import os from 'node:os';
import type { RequestHandler } from 'express';
import { ErrorCode } from '@meterit/shared';
import { LocalApiError } from './errors.js';

function ipv4Octets(addr: string): number[] | null {
  if (!isIPv4(addr)) return null;
  return addr.split('.').map(Number);
}

/**
 * Loopback, RFC 1918 private, and link-local addresses (IPv4 and IPv6, including IPv4-mapped
 * IPv6): the site's own network. Everything else is the internet as far as the agent knows.
 */
export function isLocalNetworkAddress(address: string | undefined): boolean {
  if (!address) return false;
  let a = address.trim().toLowerCase();
  if (a.startsWith('::ffff:') && isIPv4(a.slice(7))) a = a.slice(7);
  const o = ipv4Octets(a);
  if (o) {
    const [b0 = -1, b1 = -1] = o;
    return (
      b0 === 127 || // loopback
      b0 === 10 || // RFC 1918
      (b0 === 172 && b1 >= 16 && b1 <= 31) ||
      (b0 === 192 && b1 === 168) ||
      (b0 === 169 && b1 === 254) // link-local (a laptop plugged straight into the site switch)
    );
  }
  if (!isIPv6(a)) return false;
  if (a === '::1') return true;
  const first = parseInt(a.split(':')[0] || '0', 16);
  return (
    (first & 0xfe00) === 0xfc00 /* fc00::/7 unique local */ || (first & 0xffc0) === 0xfe80
  ); /* fe80::/10 link-local */
}

/** Refuse callers from outside the site's network unless LOCAL_API_ALLOW_ANY is set. */
export function lanOnly(allowAny: boolean): RequestHandler {
  return (req, _res, next) => {
    // The socket's own peer address: no proxy is trusted, so X-Forwarded-For cannot fake it.
    if (allowAny || isLocalNetworkAddress(req.socket.remoteAddress)) {
      next();
      return;
    }
    next(
      new LocalApiError(
        403,
        ErrorCode.FORBIDDEN,
        'the site dashboard answers only on the site network (loopback, private or link-local addresses); set LOCAL_API_ALLOW_ANY=true to open it wider',
      ),
    );
  };
}

/** The name in a Host header, lower-case, without port, brackets or a trailing dot; null when it is not a host name. */
export function hostOfHeader(header: string | undefined): string | null {
  if (header === undefined) return null;
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    const rest = h.slice(end + 1);
    return end > 1 && (rest === '' || /^:\d{1,5}$/.test(rest)) ? h.slice(1, end) : null;
  }
  const m = /^([a-z0-9._-]+?)\.?(?::\d{1,5})?$/.exec(h);
  return m?.[1] ?? null;
}

function isLoopbackHost(h: string): boolean {
  return h === 'localhost' || h === '::1' || (isIPv4(h) && h.startsWith('127.'));
}

/** This machine's names and addresses right now (interfaces come and go with DHCP and VPNs). */
function machineNames(): Set<string> {
  const names = new Set<string>();
  const host = os.hostname().toLowerCase();
  if (host) {
    names.add(host);
    const short = host.split('.')[0] ?? host;
    names.add(short);
    names.add(`${short}.local`);
  }
  for (const list of Object.values(os.networkInterfaces())) {
    for (const i of list ?? []) names.add(i.address.toLowerCase().replace(/%.*$/, ''));
  }
  return names;
}

/**
 * DNS rebinding: a web page on evil.example that re-points its name at this agent would let the
 * browser read the credential-free views under its own origin. The browser still sends
 * `Host: evil.example`, so only the agent's own names and addresses (loopback, the bind address,
 * this machine's hostname and interface addresses) and LOCAL_API_ALLOWED_HOSTS are answered; any
 * other Host is 421 on every route. A request without Host (HTTP/1.0, not a browser) passes.
 */
export function ownHostOnly(o: { bindHost: string; allowed: string[] }): RequestHandler {
  const anyHost = o.allowed.includes('*');
  const fixed = new Set(o.allowed.map((a) => hostOfHeader(a) ?? a.toLowerCase()));
  const bind = isIPv6(o.bindHost) ? o.bindHost.toLowerCase() : hostOfHeader(o.bindHost);
  if (bind && bind !== '0.0.0.0' && bind !== '::') fixed.add(bind);
  return (req, _res, next) => {
    const raw = req.headers.host;
    if (anyHost || raw === undefined) {
      next();
      return;
    }
    const h = hostOfHeader(raw);
    if (h !== null && (isLoopbackHost(h) || fixed.has(h) || machineNames().has(h))) {
      next();
      return;
    }
    const shown = raw.length > 100 ? `${raw.slice(0, 100)}…` : raw;
    next(
      new LocalApiError(
        421,
        ErrorCode.FORBIDDEN,
        `this agent does not answer to the host name ${JSON.stringify(shown)} (Host header): open it by its own address or name (e.g. http://127.0.0.1:${req.socket.localPort ?? 3002}/), or add the name to LOCAL_API_ALLOWED_HOSTS if it is this machine's`,
      ),
    );
  };
}
