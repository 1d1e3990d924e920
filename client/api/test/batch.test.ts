import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS, SYNC_PATHS, type SyncReading } from '@meterit/shared';
import type { RunningClientApi } from '../src/index.js';
import { call, countReadings, createSite, meter, reading, startTestApi, type TestSite } from './helpers.js';

let api: RunningClientApi;
let siteA: TestSite;
let siteB: TestSite;
let tsCounter = 0;

/** A fresh timestamp per call, so scenarios never collide with each other's rows. */
function nextTs(): string {
  tsCounter += 1;
  return new Date(Date.UTC(2025, 0, 1) + tsCounter * 60_000).toISOString();
}

const send = (readings: unknown, key = siteA.key, extra: Record<string, unknown> = {}) =>
  call(api, 'POST', SYNC_PATHS.batch, { key, body: { batch_id: `b-${tsCounter}`, readings, ...extra } });

async function storedRows(siteId: number) {
  const { rows } = await api.db.knex.raw<{
    rows: {
      external_id: string;
      data_point: string;
      ts: string;
      value: number;
      unit: string | null;
      quality: string;
    }[];
  }>(
    `SELECT m.external_id, r.data_point, to_char(r.ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ts,
            r.value, r.unit, r.quality
       FROM meter_readings r JOIN meters m ON m.id = r.meter_id
      WHERE r.site_id = ? ORDER BY r.ts, r.data_point`,
    [siteId],
  );
  return rows;
}

beforeAll(async () => {
  api = await startTestApi();
  siteA = await createSite(api, 'Site A');
  siteB = await createSite(api, 'Site B');
  const regA = await call(api, 'POST', SYNC_PATHS.meters, {
    key: siteA.key,
    body: { meters: [meter('meter-001'), meter('meter-002')] },
  });
  expect(regA.status).toBe(200);
  const regB = await call(api, 'POST', SYNC_PATHS.meters, {
    key: siteB.key,
    body: { meters: [meter('meter-b-only')] },
  });
  expect(regB.status).toBe(200);
});

afterAll(async () => {
  await api?.close();
});

describe('when a site sends a valid batch', () => {
  it('then every reading is stored with its exact value, unit, quality and timestamp', async () => {
    const t1 = nextTs();
    const float32 = Math.fround(230.7); // a BACnet REAL must survive exactly
    const batch: SyncReading[] = [
      reading({ timestamp: t1, value: float32, data_point: 'voltage', unit: 'V' }),
      reading({ timestamp: t1, value: 0.1 + 0.2, data_point: 'total_kwh', unit: 'kWh', quality: 'inAlarm+fault' }),
      reading({
        meter_external_id: 'meter-002',
        timestamp: '2025-03-01T14:30:00.123456+02:00',
        value: -1.5e-12,
        unit: null,
      }),
    ];
    const before = await countReadings(api);

    const res = await send(batch);

    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      batch_id: expect.any(String),
      stored: 3,
      duplicates: 0,
      rejected: [],
      results: ['stored', 'stored', 'stored'],
    });
    expect(await countReadings(api)).toBe(before + 3);
    const rows = await storedRows(siteA.id);
    expect(rows).toContainEqual({
      external_id: 'meter-001',
      data_point: 'voltage',
      ts: t1.replace('Z', '000Z'),
      value: float32,
      unit: 'V',
      quality: 'good',
    });
    expect(rows).toContainEqual({
      external_id: 'meter-001',
      data_point: 'total_kwh',
      ts: t1.replace('Z', '000Z'),
      value: 0.30000000000000004,
      unit: 'kWh',
      quality: 'inAlarm+fault',
    });
    expect(rows).toContainEqual({
      external_id: 'meter-002',
      data_point: 'total_kwh',
      ts: '2025-03-01T12:30:00.123456Z',
      value: -1.5e-12,
      unit: null,
      quality: 'good',
    });
  });

  it('then a gzip-compressed body is accepted the same way', async () => {
    const t = nextTs();
    const before = await countReadings(api);

    const res = await call(api, 'POST', SYNC_PATHS.batch, {
      key: siteA.key,
      gzip: true,
      body: { readings: [reading({ timestamp: t, value: 42 })] },
    });

    expect(res.status).toBe(200);
    expect(res.json.stored).toBe(1);
    expect(await countReadings(api)).toBe(before + 1);
  });
});

describe('when the same batch is sent twice', () => {
  it('then nothing new is stored and every reading of the second answer is a duplicate', async () => {
    const t = nextTs();
    const batch = [
      reading({ timestamp: t, value: 1 }),
      reading({ timestamp: t, data_point: 'current_kw', value: 2, unit: 'kW' }),
    ];
    const first = await send(batch);
    expect(first.json.stored).toBe(2);
    const before = await countReadings(api);

    const second = await send(batch);

    expect(second.status).toBe(200);
    expect(second.json).toMatchObject({ stored: 0, duplicates: 2, rejected: [], results: ['duplicate', 'duplicate'] });
    expect(await countReadings(api)).toBe(before);
  });
});

/** Site A's stored total_kwh values at one instant. */
async function totalKwhAt(ts: string): Promise<Array<{ value: number }>> {
  const { rows } = await api.db.knex.raw<{ rows: { value: number }[] }>(
    "SELECT value FROM meter_readings WHERE site_id = ? AND ts = ? AND data_point = 'total_kwh'",
    [siteA.id, ts],
  );
  return rows;
}

describe('when one batch carries the same reading twice', () => {
  it('then the first is stored, the second is a duplicate, and the stored value is the first one', async () => {
    const t = nextTs();
    const res = await send([
      reading({ timestamp: t, value: 10 }),
      reading({ timestamp: t, value: 99 }),
      reading({ timestamp: nextTs(), value: 11 }),
    ]);

    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ stored: 2, duplicates: 1, results: ['stored', 'duplicate', 'stored'] });
    const rows = await totalKwhAt(t);
    expect(rows).toEqual([{ value: 10 }]);
  });

  it('then the same instant written in two time zones is the same reading: the first is stored, the second is a duplicate', async () => {
    const t = nextTs(); // e.g. 2025-01-01T00:05:00.000Z
    const sameInParis = new Date(Date.parse(t) + 3_600_000).toISOString().replace('Z', '+01:00');
    const res = await send([
      reading({ timestamp: nextTs(), value: 1 }),
      reading({ timestamp: t, value: 20 }),
      reading({ timestamp: sameInParis, value: 21 }),
    ]);

    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ stored: 2, duplicates: 1, results: ['stored', 'stored', 'duplicate'] });
    const rows = await totalKwhAt(t);
    expect(rows).toEqual([{ value: 20 }]);
  });
});

describe('when a batch holds invalid readings', () => {
  // Each case: readings to send (a valid one first) and the indexes that must be rejected.
  const cases: { name: string; readings: () => unknown[]; rejected: number[]; reason: RegExp }[] = [
    {
      name: 'value as a string',
      readings: () => [reading({ timestamp: nextTs() }), { ...reading({ timestamp: nextTs() }), value: '12.5' }],
      rejected: [1],
      reason: /value must be a finite JSON number/,
    },
    {
      name: 'value "NaN" and "Infinity" strings',
      readings: () => [
        reading({ timestamp: nextTs() }),
        { ...reading({ timestamp: nextTs() }), value: 'NaN' },
        { ...reading({ timestamp: nextTs() }), value: 'Infinity' },
      ],
      rejected: [1, 2],
      reason: /finite JSON number/,
    },
    {
      name: 'value null',
      readings: () => [reading({ timestamp: nextTs() }), { ...reading({ timestamp: nextTs() }), value: null }],
      rejected: [1],
      reason: /finite JSON number, got null/,
    },
    {
      name: 'meter id as a number',
      readings: () => [reading({ timestamp: nextTs() }), { ...reading({ timestamp: nextTs() }), meter_external_id: 1 }],
      rejected: [1],
      reason: /meter_external_id must be a string/,
    },
    {
      name: 'missing fields',
      readings: () => [reading({ timestamp: nextTs() }), { meter_external_id: 'meter-001', value: 1 }],
      rejected: [1],
      reason: /data_point is required.*timestamp is required.*unit is required.*quality is required/,
    },
    {
      name: 'a reading that is not an object',
      readings: () => [reading({ timestamp: nextTs() }), 'hello'],
      rejected: [1],
      reason: /must be an object/,
    },
    {
      name: 'non-ISO timestamps',
      readings: () => [
        reading({ timestamp: nextTs() }),
        reading({ timestamp: '2025-06-01 12:00:00Z' }),
        reading({ timestamp: '1717243200' }),
        reading({ timestamp: '2025-06-01T12:00:00' }),
        reading({ timestamp: '2025-02-30T00:00:00Z' }),
        reading({ timestamp: 'yesterday' }),
        { ...reading(), timestamp: 1717243200000 },
      ],
      rejected: [1, 2, 3, 4, 5, 6],
      reason: /timestamp/,
    },
    {
      name: 'absurd and future timestamps',
      readings: () => [
        reading({ timestamp: nextTs() }),
        reading({ timestamp: '1970-01-01T00:00:00Z' }),
        reading({ timestamp: new Date(Date.now() + LIMITS.maxFutureSkewMs + 3_600_000).toISOString() }),
      ],
      rejected: [1, 2],
      reason: /before 2000|ahead of the server clock/,
    },
    {
      name: 'too long strings',
      readings: () => [
        reading({ timestamp: nextTs() }),
        reading({ timestamp: nextTs(), data_point: 'x'.repeat(101) }),
        reading({ timestamp: nextTs(), unit: 'u'.repeat(51) }),
        reading({ timestamp: nextTs(), quality: 'q'.repeat(65) }),
      ],
      rejected: [1, 2, 3],
      reason: /characters/,
    },
  ];

  for (const c of cases) {
    it(`(${c.name}) then the answer is 422 BATCH_REJECTED naming exactly those readings, and nothing of the batch is stored`, async () => {
      const before = await countReadings(api);

      const res = await send(c.readings());

      expect(res.status).toBe(422);
      expect(res.json.error).toMatchObject({ code: 'BATCH_REJECTED', request_id: expect.any(String) });
      expect(res.json.error.message).toMatch(/nothing of this batch was stored/);
      expect(res.json).toMatchObject({ stored: 0, duplicates: 0, results: [] });
      expect(res.json.rejected.map((r: { index: number }) => r.index)).toEqual(c.rejected);
      for (const r of res.json.rejected) {
        expect(r.code).toBe('VALIDATION_FAILED');
        expect(r.reason).toMatch(c.reason);
      }
      expect(await countReadings(api)).toBe(before);
    });
  }

  it('(a value too large for a double, sent as raw JSON 1e400) then it is rejected, not stored as Infinity', async () => {
    const before = await countReadings(api);
    const ok = JSON.stringify(reading({ timestamp: nextTs() }));
    const huge = JSON.stringify(reading({ timestamp: nextTs(), value: 7 })).replace('"value":7', '"value":1e400');

    const res = await call(api, 'POST', SYNC_PATHS.batch, { key: siteA.key, rawBody: `{"readings":[${ok},${huge}]}` });

    expect(res.status).toBe(422);
    expect(res.json.rejected).toEqual([
      { index: 1, code: 'VALIDATION_FAILED', reason: expect.stringMatching(/non-finite/) },
    ]);
    expect(await countReadings(api)).toBe(before);
  });
});

describe('when a batch names a meter the site does not have', () => {
  it('then an unknown meter is rejected as UNKNOWN_METER and the valid readings beside it are not stored', async () => {
    const before = await countReadings(api);

    const res = await send([
      reading({ timestamp: nextTs() }),
      reading({ timestamp: nextTs(), meter_external_id: 'no-such-meter' }),
    ]);

    expect(res.status).toBe(422);
    expect(res.json.rejected).toEqual([
      { index: 1, code: 'UNKNOWN_METER', reason: expect.stringMatching(/no-such-meter/) },
    ]);
    expect(await countReadings(api)).toBe(before);
  });

  it("then another site's meter is UNKNOWN_METER too, and that site's data is untouched", async () => {
    const beforeB = await countReadings(api, siteB.id);

    const res = await send([reading({ timestamp: nextTs(), meter_external_id: 'meter-b-only' })]);

    expect(res.status).toBe(422);
    expect(res.json.rejected).toEqual([{ index: 0, code: 'UNKNOWN_METER', reason: expect.any(String) }]);
    expect(await countReadings(api, siteB.id)).toBe(beforeB);
  });

  it('then a reading can be both malformed and for an unknown meter, and every bad reading is listed once', async () => {
    const res = await send([
      reading({ timestamp: nextTs(), meter_external_id: 'ghost' }),
      { ...reading({ timestamp: nextTs(), meter_external_id: 'ghost' }), value: 'x' },
      reading({ timestamp: nextTs() }),
    ]);

    expect(res.status).toBe(422);
    expect(res.json.rejected.map((r: { index: number; code: string }) => [r.index, r.code])).toEqual([
      [0, 'UNKNOWN_METER'],
      [1, 'VALIDATION_FAILED'],
    ]);
  });
});

describe('when the body is not a usable batch', () => {
  it('then malformed JSON is a 400 MALFORMED_BODY and nothing is stored', async () => {
    const before = await countReadings(api);
    const res = await call(api, 'POST', SYNC_PATHS.batch, {
      key: siteA.key,
      rawBody: '{"readings": [ {"meter_external_id": "meter-001", ',
    });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'MALFORMED_BODY', message: expect.stringMatching(/not valid JSON/) });
    expect(await countReadings(api)).toBe(before);
  });

  it('then a raw NaN token in the JSON text is a 400 MALFORMED_BODY', async () => {
    const before = await countReadings(api);
    const text = JSON.stringify({ readings: [reading({ timestamp: nextTs(), value: 1 })] }).replace(
      '"value":1',
      '"value":NaN',
    );
    const res = await call(api, 'POST', SYNC_PATHS.batch, { key: siteA.key, rawBody: text });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('MALFORMED_BODY');
    expect(await countReadings(api)).toBe(before);
  });

  it('then a broken gzip body is a 400 MALFORMED_BODY', async () => {
    const gz = gzipSync(JSON.stringify({ readings: [reading({ timestamp: nextTs() })] }));
    const res = await call(api, 'POST', SYNC_PATHS.batch, {
      key: siteA.key,
      rawBody: gz.subarray(0, gz.length - 12),
      headers: { 'content-encoding': 'gzip' },
    });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('MALFORMED_BODY');
  });

  const envelopes: { name: string; body: unknown; message: RegExp }[] = [
    { name: 'readings missing', body: { batch_id: 'x' }, message: /readings is required/ },
    { name: 'readings not an array', body: { readings: { a: 1 } }, message: /readings must be an array/ },
    { name: 'readings empty', body: { readings: [] }, message: /must not be empty/ },
    { name: 'body is an array', body: [reading()], message: /must be a JSON object/ },
    { name: 'batch_id a number', body: { batch_id: 5, readings: [reading()] }, message: /batch_id must be a string/ },
  ];
  for (const e of envelopes) {
    it(`(${e.name}) then the answer is 400 VALIDATION_FAILED with a clear message`, async () => {
      const res = await call(api, 'POST', SYNC_PATHS.batch, { key: siteA.key, body: e.body });
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe('VALIDATION_FAILED');
      expect(res.json.error.message).toMatch(e.message);
    });
  }

  it(`(more than ${LIMITS.maxBatchReadings} readings) then the answer is 400 and says the limit`, async () => {
    const many = Array.from({ length: LIMITS.maxBatchReadings + 1 }, () => reading());
    const res = await call(api, 'POST', SYNC_PATHS.batch, { key: siteA.key, gzip: true, body: { readings: many } });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toMatch(new RegExp(`at most ${LIMITS.maxBatchReadings}`));
  });

  it('then a body sent without a JSON content type is a 400 that says so', async () => {
    const res = await call(api, 'POST', SYNC_PATHS.batch, {
      key: siteA.key,
      rawBody: JSON.stringify({ readings: [reading()] }),
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toMatch(/application\/json/);
  });
});

describe('when a full batch of the largest allowed size is sent', () => {
  it(`then all ${LIMITS.maxBatchReadings} readings are stored in one answer`, async () => {
    const base = Date.UTC(2024, 0, 1);
    const readings = Array.from({ length: LIMITS.maxBatchReadings }, (_v, i) =>
      reading({
        meter_external_id: i % 2 ? 'meter-001' : 'meter-002',
        timestamp: new Date(base + i * 1000).toISOString(),
        value: i,
      }),
    );
    const before = await countReadings(api);

    const res = await call(api, 'POST', SYNC_PATHS.batch, { key: siteA.key, gzip: true, body: { readings } });

    expect(res.status).toBe(200);
    expect(res.json.stored).toBe(LIMITS.maxBatchReadings);
    expect(res.json.results).toHaveLength(LIMITS.maxBatchReadings);
    expect(await countReadings(api)).toBe(before + LIMITS.maxBatchReadings);
  });
});

describe('when the body is larger than the limit', () => {
  let small: RunningClientApi;
  let site: TestSite;
  beforeAll(async () => {
    small = await startTestApi({ bodyLimit: '16kb' });
    site = await createSite(small, 'Small');
    await call(small, 'POST', SYNC_PATHS.meters, { key: site.key, body: { meters: [meter('meter-001')] } });
  });
  afterAll(async () => {
    await small?.close();
  });

  const bigBatch = () => ({
    readings: Array.from({ length: 200 }, (_v, i) =>
      reading({ timestamp: new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString() }),
    ),
  });

  it('then the answer is 413 BODY_TOO_LARGE naming the limit, and nothing is stored', async () => {
    const res = await call(small, 'POST', SYNC_PATHS.batch, { key: site.key, body: bigBatch() });
    expect(res.status).toBe(413);
    expect(res.json.error).toMatchObject({ code: 'BODY_TOO_LARGE', message: expect.stringMatching(/16kb/) });
    expect(await countReadings(small)).toBe(0);
  });

  it('then a small gzip body that inflates past the limit is refused the same way', async () => {
    const res = await call(small, 'POST', SYNC_PATHS.batch, { key: site.key, body: bigBatch(), gzip: true });
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBe('BODY_TOO_LARGE');
    expect(await countReadings(small)).toBe(0);
  });
});

describe('when two agents race the same readings in opposite order', () => {
  it('then both get 200, each reading is stored exactly once, and nothing deadlocks', async () => {
    const readings = Array.from({ length: 500 }, (_v, i) =>
      reading({ data_point: 'race', timestamp: new Date(Date.UTC(2023, 0, 1) + i * 1000).toISOString(), value: i }),
    );
    const before = await countReadings(api);

    const [a, b, c] = await Promise.all([send(readings), send([...readings].reverse()), send(readings)]);

    expect([a.status, b.status, c.status]).toEqual([200, 200, 200]);
    expect(a.json.stored + b.json.stored + c.json.stored).toBe(500);
    expect(await countReadings(api)).toBe(before + 500);
  });
});
