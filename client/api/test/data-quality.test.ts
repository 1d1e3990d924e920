// GET /api/sites/:id/data-quality: readings with a gap, a rollover, a reset and an impossible step, uploaded through
// the sync endpoint and rolled up, come back as hand-checked issues, counted per kind, newest first, paged; a user
// limited to another site does not see them, and bad ranges get a 400.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncReading } from '@meterit/shared';
import { ManualClock, type RunningClientApi } from '../src/index.js';
import { createSite, meter, startTestApi, type TestSite } from './helpers.js';
import { ADMIN, as, createUser, login, registerAndSend } from './operator-helpers.js';

let api: RunningClientApi;
let admin: string;
let site: TestSite;
let otherOnly: string;

const r = (m: string, time: string, value: number): SyncReading => ({
  meter_external_id: m,
  data_point: 'total_kwh',
  timestamp: `2025-06-01T${time}:00.000Z`,
  value,
  unit: 'kWh',
  quality: 'good',
});

beforeAll(async () => {
  api = await startTestApi(
    { adminEmail: ADMIN.email, adminPassword: ADMIN.password },
    { rollupClock: new ManualClock() },
  );
  admin = (await login(api, ADMIN.email, ADMIN.password)).access_token;
  site = await createSite(api, 'Quality works');
  const other = await createSite(api, 'Other works');
  otherOnly = await createUser(api, 'other@example.test', 'viewer', [other.id]);
  const rated = meter('rated', {
    data_points: [{ object_type: 'analogInput', instance: 0, name: 'total_kwh', unit: 'kWh', max_kwh_per_hour: 60 }],
  });
  await registerAndSend(
    api,
    site.key,
    [meter('gappy'), meter('display'), rated],
    [
      // Read every 15 minutes until 00:30, then not until 01:30 (+4 kWh): a 60-minute gap.
      ...[100, 101, 102].map((v, i) => r('gappy', ['00:00', '00:15', '00:30'][i]!, v)),
      r('gappy', '01:30', 106),
      r('gappy', '01:45', 107),
      // A display counter wrapping at 10^6 at 00:30 (+15), restarting at 01:00 (12 → 2).
      r('display', '00:00', 999_980),
      r('display', '00:15', 999_990),
      r('display', '00:30', 5),
      r('display', '00:45', 12),
      r('display', '01:00', 2),
      // Rated 60 kWh per hour (15 per quarter hour): 110 → 600 at 00:30 is impossible.
      r('rated', '00:00', 100),
      r('rated', '00:15', 110),
      r('rated', '00:30', 600),
      r('rated', '00:45', 610),
    ],
  );
});
afterAll(async () => {
  await api?.close();
});

const ask = (query: string, token = admin) =>
  as(api, token, 'GET', `/api/sites/${site.id}/data-quality?from=2025-06-01T00:00:00Z&to=2025-06-02T00:00:00Z${query}`);
const inRange = (from: string, to: string) =>
  as(api, admin, 'GET', `/api/sites/${site.id}/data-quality?from=${from}&to=${to}`);
type Issue = { kind: string; meter_external_id: string; from: string; to: string; minutes: number };
const brief = (i: Issue & { from_value: number; to_value: number; energy_kwh: number }) => [
  i.kind,
  i.meter_external_id,
  i.from.slice(11, 16),
  i.to.slice(11, 16),
  i.minutes,
  i.from_value,
  i.to_value,
  i.energy_kwh,
];

describe('when a site’s counters had a gap, a rollover, a reset and an impossible step', () => {
  it('then each is listed newest first with its times, values and energy, and counted per kind', async () => {
    // No rollup pass was run: the list applies what is queued for the site first.
    const res = await ask('');
    expect(res.status).toBe(200);
    expect(res.json.up_to_date).toBe(true);
    expect(res.json.counts).toEqual({ gap: 1, reset: 1, rollover: 1, impossible: 1 });
    expect(res.json.issues.map(brief)).toEqual([
      ['gap', 'gappy', '00:30', '01:30', 60, 102, 106, 4],
      ['reset', 'display', '00:45', '01:00', 15, 12, 2, 2],
      ['rollover', 'display', '00:15', '00:30', 15, 999_990, 5, 15],
      ['impossible', 'rated', '00:15', '00:30', 15, 110, 600, 490],
    ]);
    expect(res.json.next_offset).toBeNull();
  });

  it('then pages of 3 give the first three and then the last, with the counts of the whole range', async () => {
    const first = await ask('&limit=3');
    expect(first.json.issues.map((i: Issue) => i.kind)).toEqual(['gap', 'reset', 'rollover']);
    expect(first.json.next_offset).toBe(3);
    const second = await ask('&limit=3&offset=3');
    expect(second.json.issues.map((i: Issue) => i.kind)).toEqual(['impossible']);
    expect(second.json.next_offset).toBeNull();
    expect(second.json.counts).toEqual(first.json.counts);
  });

  it('then a range that holds none of them lists none', async () => {
    const res = await inRange('2025-06-02T00:00:00Z', '2025-06-03T00:00:00Z');
    expect(res.json.counts).toEqual({ gap: 0, reset: 0, rollover: 0, impossible: 0 });
    expect(res.json.issues).toEqual([]);
  });

  it('then a user limited to another site gets a 404, and bad ranges a 400 that says why', async () => {
    expect((await ask('', otherOnly)).status).toBe(404);
    const backwards = await inRange('2025-06-02T00:00:00Z', '2025-06-01T00:00:00Z');
    expect([backwards.status, backwards.json.error.message]).toEqual([400, 'from must be before to']);
    const tooLong = await inRange('2024-01-01T00:00:00Z', '2025-06-01T00:00:00Z');
    expect([tooLong.status, tooLong.json.error.message]).toEqual([400, 'from and to may be at most 397 days apart']);
    expect((await ask('&limit=0')).status).toBe(400);
  });
});
