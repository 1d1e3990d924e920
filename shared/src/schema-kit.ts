// Building blocks of the request schemas: zod types whose messages name the field by its path
// (meters[0].data_points[1].name) and say what was wrong with what was sent. Browser-safe: no Node imports.
import { z } from 'zod';
import { UNSTORABLE_TEXT } from './constants.js';
import { parseStrictIso } from './timestamps.js';

// No generated code: zod's fast path probes `new Function` when an object schema is built, and the web apps' strict
// CSP (script-src 'self', no 'unsafe-eval') reports that probe as a violation even though zod catches it. Every
// schema module imports this file first, so the setting is in place before any schema exists.
z.config({ jitless: true });

/** What was sent, in words: `the string "abc"`, `the number 5`, `an array`, `null`. */
export function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number') return Number.isFinite(v) ? `the number ${v}` : 'a non-finite number';
  return `a ${typeof v}`;
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A field's path as one name: `meters[0].data_points[1].name`; `(body)` for the whole body. */
export function fieldName(path: readonly PropertyKey[] | undefined): string {
  let out = '';
  for (const k of path ?? []) out += typeof k === 'number' ? `[${k}]` : out === '' ? String(k) : `.${String(k)}`;
  return out || '(body)';
}

/** The issue zod hands an error function: where it is and what was there. */
export interface IssueAt {
  path?: PropertyKey[] | undefined;
  input?: unknown;
}
const at = (iss: IssueAt) => fieldName(iss.path);

/** "x is required" for a missing field, else "x must be <expected>, got <what was sent>". */
export const typeError =
  (expected: string, required = 'is required') =>
  (iss: IssueAt): string =>
    iss.input === undefined
      ? `${at(iss)} ${required}`
      : `${at(iss)} must be ${expected}, got ${describeType(iss.input)}`;

const UNSTORABLE = 'contains a character that cannot be stored (NUL \\u0000 or a lone UTF-16 surrogate)';
const lengthOf = (iss: IssueAt) => (typeof iss.input === 'string' ? iss.input.length : 0);

/**
 * A string PostgreSQL can store as written (no NUL, no lone surrogate) of `min` to `max` characters.
 * `trim`: surrounding white space is removed first (the parsed value is trimmed). `expected` replaces "a string".
 */
export function text(min: number, max: number, opts: { trim?: boolean; expected?: string; required?: string } = {}) {
  const base = z.string({ error: typeError(opts.expected ?? 'a string', opts.required) });
  return (opts.trim ? base.trim() : base)
    .refine((v) => !UNSTORABLE_TEXT.test(v), { error: (iss) => `${at(iss)} ${UNSTORABLE}`, abort: true })
    .refine((v) => v.length >= min && v.length <= max, {
      error: (iss) => `${at(iss)} must be ${min} to ${max} characters long, got ${lengthOf(iss)}`,
      abort: true,
    });
}

/** A string matching `pattern`, else `message` (which follows the field's name). */
export const matching = (pattern: RegExp, message: string) =>
  z
    .string({ error: (iss) => `${at(iss)} ${message}` })
    .refine((v) => pattern.test(v), { error: (iss) => `${at(iss)} ${message}`, abort: true });

/** An integer from `min` to `max` ("must be an integer", "must be between"). */
export const integer = (min: number, max: number) =>
  z
    .number({ error: typeError('an integer') })
    .refine(Number.isInteger, { error: typeError('an integer'), abort: true })
    .refine((v) => v >= min && v <= max, {
      error: (iss) => `${at(iss)} must be between ${min} and ${max}, got ${String(iss.input)}`,
      abort: true,
    });

/** A count: an integer from 0 up. */
export const count = () => integer(0, Number.MAX_SAFE_INTEGER);

/** A whole number from `min` to `max` ("must be a whole number from … to …"). */
export const wholeNumber = (min: number, max: number) => {
  const message = (iss: IssueAt) =>
    `${at(iss)} must be a whole number from ${min} to ${max}, got ${describeType(iss.input)}`;
  return z
    .number({ error: message })
    .refine((v) => Number.isInteger(v) && v >= min && v <= max, { error: message, abort: true });
};

/** A finite number, optionally limited to a range. */
export const finite = (expected = 'a finite JSON number', range?: { min: number; max: number }) => {
  const n = z.number({ error: typeError(expected) });
  return range ? n.refine((v) => v >= range.min && v <= range.max, { error: typeError(expected), abort: true }) : n;
};

export const bool = () => z.boolean({ error: typeError('a boolean') });

/** One of `values`; `said` is what the message says it must be (default: "one of a, b, c"). */
export const oneOf = <const T extends readonly [string, ...string[]]>(
  values: T,
  said = `one of ${values.join(', ')}`,
) => z.enum(values, { error: (iss) => `${at(iss)} must be ${said}, got ${describeType(iss.input)}` });

const isoProblem = (v: unknown) => {
  const p = typeof v === 'string' ? parseStrictIso(v) : undefined;
  return p && 'problem' in p ? p.problem : 'must be an ISO-8601 timestamp';
};

/** A strict ISO-8601 timestamp with seconds and a zone (kept as the string sent). `nullable`: null when not applicable. */
export function isoTime(opts: { nullable: true; message?: string }): z.ZodNullable<ReturnType<typeof isoString>>;
export function isoTime(opts?: { nullable?: false; message?: string }): ReturnType<typeof isoString>;
export function isoTime(opts: { nullable?: boolean; message?: string } = {}) {
  const s = isoString(opts.nullable ? 'is required (null when not applicable)' : 'is required', opts.message);
  return opts.nullable ? s.nullable() : s;
}
function isoString(required: string, message: string | undefined) {
  const whole = message ? (iss: IssueAt) => `${at(iss)} ${message}, got ${describeType(iss.input)}` : undefined;
  return z
    .string({ error: whole ?? typeError('an ISO-8601 string', required) })
    .refine((v) => !('problem' in parseStrictIso(v)), {
      error: whole ?? ((iss) => `${at(iss)} ${isoProblem(iss.input)}`),
      abort: true,
    });
}

const quoted = (keys: readonly string[]) =>
  keys
    .slice(0, 5)
    .map((k) => JSON.stringify(k.slice(0, 40)))
    .join(', ') + (keys.length > 5 ? ` and ${keys.length - 5} more` : '');

/**
 * A JSON object body of exactly these fields: a field the route does not take is a 400 naming it (a misspelt
 * {"is_actve": false} would otherwise be ignored and the answer look like success). `notAnObject` is the
 * message when the body is not an object at all.
 */
export function strictBody<S extends z.ZodRawShape>(shape: S, notAnObject: (input: unknown) => string) {
  const fields = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code === 'unrecognized_keys') {
        const keys = (iss as { keys: string[] }).keys;
        return `unknown field${keys.length > 1 ? 's' : ''} ${quoted(keys)}; this request takes ${fields.join(', ')}`;
      }
      return notAnObject(iss.input);
    },
  });
}

/** An object (unknown fields dropped); `notAnObject` is the message when the value is no object. */
export const object = <S extends z.ZodRawShape>(shape: S, notAnObject: (input: unknown) => string) =>
  z.object(shape, { error: (iss) => notAnObject(iss.input) });

/**
 * An array of at most `max` items: its size is checked before any item is looked at (20,000 bad items
 * would otherwise bury the one message that matters). `envelope` adds checks over the raw items (duplicates).
 */
export function list<T extends z.ZodType>(
  item: T,
  max: number,
  tooMany: (n: number, name: string) => string,
  envelope?: (items: unknown[]) => string | undefined,
) {
  const raw = z
    .array(z.unknown(), { error: typeError('an array') })
    .max(max, { error: (iss) => tooMany(Array.isArray(iss.input) ? iss.input.length : max + 1, at(iss)), abort: true });
  const checked = envelope
    ? raw.superRefine((items, ctx) => {
        const problem = envelope(items);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
    : raw;
  return checked.pipe(z.array(item));
}

/**
 * One problem entry for a whole field, naming the first `limit` problems inside it by their full path
 * (`meter_states[3].since …`): long lists answer with one readable line instead of thousands of entries.
 */
export function firstProblems<T extends z.ZodType>(name: string, schema: T, limit = 1) {
  const wrapper = z.object({ [name]: schema });
  return z.unknown().transform((v, ctx): z.output<T> => {
    const r = wrapper.safeParse({ [name]: v });
    if (r.success) return (r.data as Record<string, z.output<T>>)[name] as z.output<T>;
    const messages = r.error.issues.map((i) => i.message);
    ctx.addIssue({
      code: 'custom',
      message: messages.slice(0, limit).join('; ') + (limit > 1 && messages.length > limit ? '; and more' : ''),
    });
    return z.NEVER;
  });
}

/** A positive integer id in a path parameter ("/api/sites/:id"), as a number. */
export const idParam = () =>
  z
    .string({ error: typeError('a positive integer id') })
    .refine((v) => /^[1-9]\d{0,9}$/.test(v) && Number(v) < 2 ** 31, {
      error: typeError('a positive integer id'),
      abort: true,
    })
    .transform(Number);

/** Whether `v` parses as a URL. */
export function isUrl(v: string): boolean {
  try {
    new URL(v);
    return true;
  } catch {
    return false;
  }
}

/** A positive integer id in a JSON body. */
export const idField = () =>
  z.number({ error: typeError('a positive integer id') }).refine((v) => Number.isInteger(v) && v > 0 && v < 2 ** 31, {
    error: typeError('a positive integer id'),
    abort: true,
  });

/** An ISO-8601 UTC time in an answer (described, so the JSON Schema an MCP client sees says so). */
export const utcTime = z.string().describe('ISO-8601 UTC time');
export const utcTimeOrNull = utcTime.nullable();
