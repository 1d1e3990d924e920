import { isIPv4 } from 'node:net';
import { z } from 'zod';

/** "192.168.1.20" or "192.168.1.20:47808". */
export const ipv4WithPort = z
  .string()
  .trim()
  .max(21)
  .refine((s) => {
    const [host = '', port, ...rest] = s.split(':');
    if (rest.length > 0 || !isIPv4(host)) return false;
    if (port === undefined) return true;
    const n = Number(port);
    return /^\d{1,5}$/.test(port) && n >= 1 && n <= 65535;
  }, 'must be an IPv4 address, optionally with :port, e.g. 192.168.1.20 or 192.168.1.20:47808')
  .describe('IPv4 address, optionally with :port');

/** BACnet object type or property by name ("analogInput", "analog-input", "ANALOG_INPUT") or number. */
export const bacnetName = (what: string) =>
  z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^([A-Za-z][A-Za-z_-]*|\d{1,7})$/, `must be a BACnet ${what} name such as the examples, or its number`);

/** The values' BACnet application tags, for reading a raw answer. */
export const APPLICATION_TAGS = [
  'NULL',
  'BOOLEAN',
  'UNSIGNED_INTEGER',
  'SIGNED_INTEGER',
  'REAL',
  'DOUBLE',
  'OCTET_STRING',
  'CHARACTER_STRING',
  'BIT_STRING',
  'ENUMERATED',
  'DATE',
  'TIME',
  'OBJECTIDENTIFIER',
] as const;

/** Any decoded value as plain JSON: buffers as hex, bigints as strings, bounded in depth and size. */
export function jsonSafe(v: unknown, depth = 0): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (Buffer.isBuffer(v)) return v.toString('hex');
  if (depth > 5) return '…';
  if (Array.isArray(v)) return v.slice(0, 200).map((x) => jsonSafe(x, depth + 1));
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>).slice(0, 50)) out[k] = jsonSafe(x, depth + 1);
    return out;
  }
  return String(v);
}
