// Hostile request bodies: broken syntax, size and depth, every leaf of the valid body, and endpoint-specific ones.
import type { CaseSet } from './hostile-case.js';
import { deep, gzipBomb, jsonWithRaw, leaves, mutationsFor, withLeaf } from './hostile-values.js';

/** Body syntax: malformed and odd JSON, other content types, a body shorter than its length. */
export function bodySyntaxCases(set: CaseSet): void {
  const { auth, json, add, reject, bodyText } = set;
  // --- body syntax ---
  const malformed = ['{', '{"readings": [}', "{'a': 1}", '{"a": 1,}', '{"a": NaN}', 'undefined', '{"a": "\\x41"}'];
  for (const m of malformed) add({ name: `malformed JSON ${JSON.stringify(m).slice(0, 30)}`, body: m, expect: reject });
  // Odd but decodable: a BOM, a lone surrogate escape, bytes that are not UTF-8 (decoded as U+FFFD).
  for (const m of ['\ufeff{"a":1}', '{"a": "\\ud800"}'])
    add({ name: `odd JSON ${JSON.stringify(m).slice(0, 30)}`, body: m, expect: 'survive' });
  add({
    name: 'invalid UTF-8 bytes',
    body: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    expect: 'survive',
  });
  add({ name: 'empty body', body: '', expect: 'survive' });
  for (const top of ['[]', '"x"', '123', 'null', 'true']) add({ name: `top-level ${top}`, body: top, expect: reject });
  add({
    name: 'JSON sent as text/plain',
    headers: { ...auth(), 'content-type': 'text/plain' },
    body: bodyText,
    expect: reject,
  });
  add({
    name: 'form-encoded body',
    headers: { ...auth(), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'readings=1&meters=2',
    expect: reject,
  });
  add({
    name: 'charset=utf-7',
    headers: { ...auth(), 'content-type': 'application/json; charset=utf-7' },
    body: bodyText,
    expect: 'survive',
  });
  // The server rightly waits for the missing bytes (Node's requestTimeout is minutes). What would be wrong, an
  // answer made from the truncated body, comes at once: half a second tells as much as a longer wait, and this
  // case is sent to every endpoint with a body.
  add({
    name: 'content-length larger than the body',
    headers: { ...auth(), ...json, 'content-length': String((bodyText?.length ?? 0) + 50) },
    body: bodyText,
    expect: 'reject',
    mayWaitMs: 500,
  });
}

/** Size and depth: huge, compressed, deeply nested and polluting bodies. */
export function bodySizeCases(set: CaseSet): void {
  const { auth, json, add, validBody, reject, bodyText } = set;
  // --- size and depth ---
  add({ name: 'body of 12 MB', body: `{"pad": "${'x'.repeat(12 * 1024 * 1024)}"}`, expect: 'reject' });
  add({
    name: 'gzip bomb (64 MB of zeros)',
    headers: { ...auth(), ...json, 'content-encoding': 'gzip' },
    body: gzipBomb(),
    expect: 'reject',
  });
  add({
    name: 'content-encoding gzip on a plain body',
    headers: { ...auth(), ...json, 'content-encoding': 'gzip' },
    body: bodyText,
    expect: 'reject',
  });
  add({
    name: 'unsupported content-encoding',
    headers: { ...auth(), ...json, 'content-encoding': 'compress' },
    body: bodyText,
    expect: 'reject',
  });
  add({ name: 'arrays nested 10,000 deep', body: deep(10_000, '[', ']'), expect: reject });
  add({ name: 'arrays nested 400,000 deep', body: deep(400_000, '[', ']'), expect: reject });
  add({ name: 'objects nested 100,000 deep', body: deep(100_000, '{"a":', '}'), expect: reject });
  const firstArray =
    validBody && typeof validBody === 'object'
      ? Object.entries(validBody).find(([, v]) => Array.isArray(v))
      : undefined;
  if (firstArray) {
    const [field] = firstArray;
    add({ name: `${field} nested 50,000 deep`, body: `{"${field}": ${deep(50_000, '[', ']')}}`, expect: 'reject' });
    // 20,000 is enough to show a quadratic validator (it would block the event loop for seconds); 200,000 would block it for half an hour.
    add({
      name: `${field} with 20,000 nulls`,
      body: `{"${field}": [${Array(20_000).fill('null').join(',')}]}`,
      expect: 'reject',
    });
  }
  add({
    name: 'prototype pollution keys',
    body: `{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}`,
    expect: reject,
  });
}

/** Every leaf of the valid body, every wrong shape. */
export function leafCases(set: CaseSet): void {
  const { ep, add, validBody } = set;
  // --- every leaf, every wrong shape ---
  const free = new Set(ep.freeText ?? []);
  const optional = new Set(ep.optional ?? []);
  const readingTimes = new Set(ep.readingTimes ?? []);
  const emptyOk = new Set(ep.emptyOk ?? []);
  for (const leaf of leaves(validBody)) {
    if (leaf.path.length === 0) continue;
    const key = leaf.path.join('.');
    for (const [value, mustReject, what] of mutationsFor(
      leaf.value,
      free.has(key),
      optional.has(key),
      readingTimes.has(key),
      emptyOk.has(key),
    )) {
      add({
        name: `${key}: ${what}`,
        body: jsonWithRaw(withLeaf(validBody, leaf.path, value)),
        expect: mustReject ? 'reject' : 'survive',
      });
    }
  }
  // What the route's own rules refuse though the type is right.
  for (const [key, values] of Object.entries(ep.refusedValues ?? {})) {
    const path = key.split('.').map((k) => (/^\d+$/.test(k) ? Number(k) : k));
    for (const value of values)
      add({
        name: `${key}: refused ${JSON.stringify(value).slice(0, 40)}`,
        body: jsonWithRaw(withLeaf(validBody, path, value)),
        expect: 'reject',
        code: 'VALIDATION_FAILED',
      });
  }
}

/** Endpoint-specific: the readings batch. */
export function batchCases(set: CaseSet): void {
  const { ep, ctx, creds, path, json, cases, add, validBody } = set;
  // --- endpoint-specific ---
  if (ep.path === '/api/sync/readings/batch' && validBody) {
    const r = (validBody as { readings: Array<Record<string, unknown>> }).readings[0]!;
    const many = (n: number): Array<Record<string, unknown>> =>
      Array.from({ length: n }, (_, i) => ({
        ...r,
        timestamp: new Date(Date.now() - 7_200_000 - i * 1000).toISOString(),
      }));
    add({ name: 'batch of 5,001 readings', body: JSON.stringify({ readings: many(5001) }), expect: 'reject' });
    add({ name: 'batch of 60,000 readings', body: JSON.stringify({ readings: many(60_000) }), expect: 'reject' });
    const mixed = many(4999);
    mixed.push({ ...r, value: 'NaN' });
    add({
      name: '4,999 good readings and one bad: nothing stored',
      body: JSON.stringify({ readings: mixed }),
      expect: 'reject',
    });
    add({
      name: 'unknown meter',
      body: JSON.stringify({ readings: [{ ...r, meter_external_id: 'no-such-meter' }] }),
      expect: 'reject',
    });
    add({
      name: "another site's meter with my key",
      body: JSON.stringify({ readings: [{ ...r, meter_external_id: ctx.siteB.meterIds[0] }] }),
      expect: 'reject',
    });
    cases.push({
      method: ep.method,
      path,
      name: "site B's key naming site A's meter",
      headers: { 'x-api-key': creds.siteKey('B'), ...json },
      body: JSON.stringify({ readings: [{ ...r }] }),
      expect: 'reject',
      crossSite: true,
    });
  }
}
