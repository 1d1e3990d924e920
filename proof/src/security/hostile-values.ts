// The hostile values the suite puts in requests, and the helpers that put them into a valid body.
import { gzipSync } from 'node:zlib';

export const SQLISH = [
  "'; DROP TABLE meter_readings; --",
  "1' OR '1'='1",
  '1; SELECT pg_sleep(5)--',
  '$$; TRUNCATE sites; $$',
  '\\x00\\\\',
];
export const UNICODE = [
  '\u0000',
  'nul\u0000inside',
  '😀⚡️电表',
  '\u202eevil\u202c',
  '\ud800',
  'A\u0301\u0301\u0301',
  'ﬀ'.repeat(60),
];
export const TRAVERSAL = [
  '../../../../etc/passwd',
  '..%2f..%2f..%2fetc%2fpasswd',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '....//....//etc/passwd',
  '..\\..\\windows\\win.ini',
  '%00',
  '1%00',
  '1;DROP',
  '-1',
  '0',
  '99999999999999999999',
  '1e3',
  '0x10',
  'null',
  '%ff%fe',
];
export const BAD_TIMESTAMPS = [
  '',
  'yesterday',
  '2026-13-01T00:00:00Z',
  '2026-02-30T00:00:00Z',
  '2026-01-01T25:00:00Z',
  '2026-01-01',
  '2026-01-01T00:00:00',
  '+275760-09-13T00:00:00.000Z',
  '2026-01-01T00:00:00.1234567Z',
  '2026-01-01T00:00:00+99:00',
  "2026-01-01T00:00:00Z'; DROP TABLE meter_readings; --",
];
/** Well-formed, but no meter reading can carry them. */
export const IMPLAUSIBLE_READING_TIMES = ['1999-12-31T23:59:59Z', '1970-01-01T00:00:00Z', '9999-12-31T23:59:59Z'];
export const ISO_LIKE = /^\d{4}-\d{2}-\d{2}T/;

type Leaf = { path: Array<string | number>; value: unknown };
export function leaves(v: unknown, path: Array<string | number> = []): Leaf[] {
  if (Array.isArray(v)) return [{ path, value: v }, ...v.flatMap((x, i) => leaves(x, [...path, i]))];
  if (v !== null && typeof v === 'object')
    return [
      ...(path.length ? [{ path, value: v }] : []),
      ...Object.entries(v).flatMap(([k, x]) => leaves(x, [...path, k])),
    ];
  return [{ path, value: v }];
}
export const DELETE = Symbol('delete');
export function withLeaf(root: unknown, path: Array<string | number>, value: unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let at = copy;
  for (const p of path.slice(0, -1)) at = at[p] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === DELETE) delete at[last];
  else at[last] = value;
  return copy;
}

/** Replacements for one leaf: [value, must the request be rejected?]. `RAW:` values are spliced into the JSON text as written. */
export function mutationsFor(
  value: unknown,
  freeText: boolean,
  optional: boolean,
  readingTime: boolean,
  emptyOk: boolean,
): Array<[unknown, boolean, string]> {
  const out: Array<[unknown, boolean, string]> = [
    [DELETE, !optional, 'missing'],
    [null, value !== null && !optional, 'null'],
  ];
  if (typeof value === 'string') {
    const ts = ISO_LIKE.test(value);
    out.push(
      [123, true, 'number'],
      [true, true, 'boolean'],
      [[value], true, 'array'],
      [{ v: value }, true, 'object'],
      ['x'.repeat(100_000), true, '100k chars'],
    );
    if (ts) {
      for (const t of BAD_TIMESTAMPS) out.push([t, true, `timestamp ${JSON.stringify(t).slice(0, 40)}`]);
      for (const t of IMPLAUSIBLE_READING_TIMES) out.push([t, readingTime, `timestamp ${t}`]);
    } else {
      out.push(['', !optional && !emptyOk, 'empty']);
      for (const s of SQLISH) out.push([s, !freeText, `SQL-looking ${JSON.stringify(s)}`]);
      // NUL cannot be stored in PostgreSQL text: it must be rejected with a 4xx, never reach SQL.
      for (const s of UNICODE)
        out.push([
          s,
          !freeText || s.includes('\u0000') || s.includes('\ud800'),
          `unicode ${JSON.stringify(s).slice(0, 30)}`,
        ]);
      for (const s of TRAVERSAL.slice(0, 3)) out.push([s, !freeText, `traversal ${s}`]);
    }
  } else if (typeof value === 'number') {
    out.push(
      ['1', true, 'numeric string'],
      [true, true, 'boolean'],
      [[value], true, 'array'],
      ['RAW:1e400', true, '1e400 (Infinity)'],
      ['RAW:-1e400', true, '-1e400'],
    );
    out.push(
      [-1, false, 'negative'],
      [1.5, false, 'fraction'],
      [2 ** 53 + 2, false, '2^53+2'],
      [1e308, false, '1e308'],
      ['RAW:-0', false, '-0'],
    );
  } else if (typeof value === 'boolean') {
    out.push(['true', true, 'string'], [1, true, 'number']);
  } else if (Array.isArray(value)) {
    out.push(
      [{}, true, 'object instead of array'],
      ['x', true, 'string instead of array'],
      [[1, 'x', null, [], {}], true, 'array of junk'],
    );
  } else if (value !== null && typeof value === 'object') {
    out.push([[], true, 'array instead of object'], ['x', true, 'string instead of object']);
  }
  return out;
}

export function jsonWithRaw(v: unknown): string {
  // Splice RAW: markers (numbers JSON.stringify cannot write, such as 1e400) into the text.
  return JSON.stringify(v).replace(/"RAW:([^"]*)"/g, '$1');
}

let bomb: Buffer | undefined;
/** Compressed once per run: compressing 64 MB takes a noticeable part of a second, and every endpoint with a body gets it. */
export function gzipBomb(): Buffer {
  bomb ??= gzipSync(Buffer.concat([Buffer.from('{"pad":"'), Buffer.alloc(64 * 1024 * 1024, 0x30), Buffer.from('"}')]));
  return bomb;
}

export function deep(depth: number, open: string, close: string, inner = '1'): string {
  return open.repeat(depth) + inner + close.repeat(depth);
}
