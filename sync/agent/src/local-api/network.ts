import { isIPv4, isIPv6 } from 'node:net';
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
  return (first & 0xfe00) === 0xfc00 /* fc00::/7 unique local */ || (first & 0xffc0) === 0xfe80 /* fe80::/10 link-local */;
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
