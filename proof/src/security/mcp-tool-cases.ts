// The calls the bad-input suite makes to each MCP tool, generated from the tool's input schema: valid arguments with
// one wrong at a time, and another site's ids.
import type { Tool } from '@modelcontextprotocol/sdk/types.js';

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  anyOf?: Schema[];
  oneOf?: Schema[];
  const?: unknown;
};

/** 'reject': must be a tool error or an invalid-params error. 'survive': may answer, must not fail inside. */
export interface ToolCase {
  name: string;
  args: unknown;
  expect: 'reject' | 'survive';
  /** Uses another site's ids: nothing of that site may come back. */
  foreign?: boolean;
}

const SQLISH = ["'; DROP TABLE meter_readings; --", "1' OR '1'='1", '$$; TRUNCATE sites; $$'];
const ODD_STRINGS: Array<[string, string]> = [
  ['empty', ''],
  ['100k chars', 'x'.repeat(100_000)],
  ['NUL', 'nul\u0000inside'],
  ['lone surrogate', 'a\ud800b'],
  ['right-to-left override', '\u202eevil\u202c'],
  ['emoji', '😀⚡️电表'],
  ...SQLISH.map((s): [string, string] => [`SQL-looking ${s.slice(0, 12)}`, s]),
  ['traversal ../', '../../../../etc/passwd'],
  ['traversal encoded', '..%2f..%2f..%2fetc%2fpasswd'],
  ['traversal windows', '..\\..\\windows\\win.ini'],
];
const BAD_DATES = [
  'yesterday',
  '2026-13-01T00:00:00Z',
  '2026-02-30T00:00:00Z',
  '+275760-09-13T00:00:00.000Z',
  '2026-01-01T00:00:00Z; DROP TABLE x',
  '0',
  '',
];

const typeOf = (s: Schema): string | undefined => {
  if (Array.isArray(s.type)) return s.type.find((t) => t !== 'null');
  if (s.type) return s.type;
  const alt = s.anyOf ?? s.oneOf;
  return alt ? typeOf(alt.find((a) => a.type !== 'null') ?? {}) : undefined;
};
const nullable = (s: Schema) =>
  (Array.isArray(s.type) && s.type.includes('null')) || (s.anyOf ?? s.oneOf ?? []).some((a) => a.type === 'null');
const isDate = (name: string, s: Schema) =>
  s.format === 'date-time' ||
  s.format === 'date' ||
  /^(from|to|since|until|start|end|at|day|date)$|_(at|from|to|date)$/.test(name);

function sampleFor(name: string, s: Schema, samples: Record<string, unknown>): unknown {
  if (name in samples) return samples[name];
  if (s.const !== undefined) return s.const;
  if (s.enum?.length) return s.enum[0];
  switch (typeOf(s)) {
    case 'string':
      return isDate(name, s)
        ? new Date(Date.now() - 3_600_000).toISOString()
        : 'x'.repeat(Math.max(1, s.minLength ?? 1));
    case 'integer':
    case 'number':
      return s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 1);
    case 'boolean':
      return false;
    case 'array':
      return Array.from({ length: Math.max(1, s.minItems ?? 1) }, () =>
        sampleFor(name.replace(/s$/, ''), s.items ?? {}, samples),
      );
    case 'object':
      return validArgs(s, samples);
    default:
      return 'x';
  }
}

/** The required arguments, and the optional ones the target gives a sample for (e.g. a short discovery timeout). */
function validArgs(schema: Schema, samples: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(schema.properties ?? {})) {
    if ((schema.required ?? []).includes(name) || name in samples)
      out[name] = sampleFor(name, schema.properties?.[name] ?? {}, samples);
  }
  return out;
}

/** Wrong values for one argument: [what, value, must it be refused?]. */
function wrongValues(name: string, s: Schema): Array<[string, unknown, boolean]> {
  const t = typeOf(s);
  const out: Array<[string, unknown, boolean]> = [['null', null, !nullable(s)]];
  const notString = t !== 'string';
  out.push(
    ['a number', 12345, t !== 'number' && t !== 'integer'],
    ['a boolean', true, t !== 'boolean'],
    ['an object', { $gt: '' }, t !== 'object'],
    ['a nested array', [[[]]], true],
  );
  if (t !== 'array') out.push(['an array', ['x'], true]);
  if (t === 'string') {
    const limited = s.enum !== undefined || s.pattern !== undefined || s.format !== undefined;
    for (const [what, v] of ODD_STRINGS) {
      const tooLong = s.maxLength !== undefined && v.length > s.maxLength;
      const tooShort = v.length < (s.minLength ?? 0);
      out.push([what, v, tooLong || tooShort || (limited && !(s.enum ?? []).includes(v))]);
    }
    if (isDate(name, s)) for (const d of BAD_DATES) out.push([`date ${JSON.stringify(d)}`, d, true]);
  }
  if (t === 'number' || t === 'integer') {
    const lo = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1e-9 : -Infinity);
    const hi = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1e-9 : Infinity);
    for (const v of [-1, 0, 1.5, 2 ** 53 + 2, 1e308, -1e308])
      out.push([`number ${v}`, v, v < lo || v > hi || (t === 'integer' && !Number.isInteger(v))]);
    out.push(['a numeric string', '1', notString]);
  }
  if (t === 'array') {
    const big = Array.from({ length: 10_000 }, (_, i) => i);
    out.push(['an empty array', [], (s.minItems ?? 0) > 0], ['10,000 elements', big, true], ['a string', 'x', true]);
    if (s.items)
      for (const [what, v, bad] of wrongValues(name, s.items).slice(0, 8)) out.push([`element ${what}`, [v], bad]);
  }
  return out;
}

export function toolCases(tool: Tool, samples: Record<string, unknown>, foreign: Record<string, unknown>): ToolCase[] {
  const schema = tool.inputSchema as Schema;
  const props = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const valid = validArgs(schema, samples);
  const cases: ToolCase[] = [];
  if (required.size > 0) cases.push({ name: 'no arguments', args: {}, expect: 'reject' });
  for (const name of required) {
    const { [name]: _gone, ...rest } = valid;
    cases.push({ name: `${name}: missing`, args: rest, expect: 'reject' });
  }
  cases.push({
    name: 'an unknown extra argument',
    args: { ...valid, __proto__injected: 'x', constructor: { prototype: { polluted: true } } },
    expect: 'survive',
  });
  // Ignored by the tool, yet kept by the audit log, which must still write its row.
  cases.push({ name: 'an extra argument holding NUL', args: { ...valid, note: 'nul\u0000inside' }, expect: 'survive' });
  cases.push({
    name: 'an extra argument whose name holds NUL',
    args: { ...valid, 'no\u0000te': 1 },
    expect: 'survive',
  });
  cases.push({
    name: 'an extra argument holding an unpaired surrogate',
    args: { ...valid, note: 'a\ud800b' },
    expect: 'survive',
  });
  cases.push({ name: 'arguments as an array', args: [valid], expect: 'reject' });
  for (const [name, s] of Object.entries(props)) {
    for (const [what, v, bad] of wrongValues(name, s)) {
      cases.push({ name: `${name}: ${what}`, args: { ...valid, [name]: v }, expect: bad ? 'reject' : 'survive' });
    }
  }
  // Another site's ids, wherever the tool takes one.
  for (const [name, v] of Object.entries(foreign)) {
    if (name in props)
      cases.push({ name: `${name}: another site's`, args: { ...valid, [name]: v }, expect: 'survive', foreign: true });
  }
  return cases;
}
