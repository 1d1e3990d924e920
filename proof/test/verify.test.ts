import { describe, expect, it } from 'vitest';
import type { ServedValue, SimMeterInfo } from '@meterit/simulator';
import { verify, type QueueLimitWindow, type Row } from '../src/chaos/verify.js';

// The checker itself must be able to fail: feed it lost, duplicated, altered and unexplained readings.
const meter: SimMeterInfo = {
  deviceId: 1,
  name: 'm',
  externalId: 'meter-1',
  address: '127.0.7.99',
  port: 47808,
  maxApdu: 1476,
  vendorId: 0,
  running: true,
  points: [{ objectType: 'analogInput', instance: 0, name: 'total_kwh', units: 19 }],
};
const t0 = Date.UTC(2026, 0, 1);
const served: ServedValue[] = [0, 1, 2, 3].map((i) => ({
  deviceId: 1,
  objectType: 'analogInput',
  instance: 0,
  value: Math.fround(100 + i),
  servedAt: t0 + i * 1000 + 20,
}));
const row = (i: number, patch: Partial<Row> = {}): Row => ({
  meter: 'meter-1',
  data_point: 'total_kwh',
  ts: new Date(t0 + i * 1000),
  value: Math.fround(100 + i),
  unit: 'kWh',
  quality: 'good',
  ...patch,
});
const all = [0, 1, 2, 3].map((i) => row(i));
const base = { meters: [meter], served, excuses: [], qualityChanges: [] };

describe('the chaos checker', () => {
  it('when everything served arrived once unchanged, then it reports nothing', () => {
    const v = verify({ ...base, site: all, central: all });
    expect({ lost: v.lost, duplicated: v.duplicated, altered: v.altered, collected: v.collected }).toEqual({
      lost: 0,
      duplicated: 0,
      altered: 0,
      collected: 4,
    });
  });

  it('when a queued reading never arrives centrally, or a served value was never queued without a fault to explain it, then both are lost', () => {
    const v = verify({
      ...base,
      site: all.filter((_, i) => i !== 1),
      central: all.filter((_, i) => i !== 1 && i !== 2),
    });
    expect(v.lost).toBe(2);
  });

  it('when the agent was down while a value was served, then that value may be missing, but only from both databases', () => {
    const excuses = [{ kind: 'agent killed', from: t0 + 900, to: t0 + 1500 }];
    expect(
      verify({ ...base, excuses, site: all.filter((_, i) => i !== 1), central: all.filter((_, i) => i !== 1) }).lost,
    ).toBe(0);
    expect(verify({ ...base, excuses, site: all.filter((_, i) => i !== 1), central: all }).altered).toBe(1);
  });

  it('when a reading is stored twice, or with another value, unit or quality, then it is counted', () => {
    expect(verify({ ...base, site: all, central: [...all, row(2)] }).duplicated).toBe(1);
    const altered = verify({
      ...base,
      site: [row(0), row(1, { value: 1 }), row(2, { unit: 'kW' }), row(3, { quality: 'fault' })],
      central: all,
    });
    expect(altered.altered).toBeGreaterThanOrEqual(3);
  });

  describe('when the site queue reached its limit during an outage', () => {
    // Ten values of one point, one a second; the outage starts before the first.
    const many = 10;
    const served10: ServedValue[] = Array.from({ length: many }, (_, i) => ({
      deviceId: 1,
      objectType: 'analogInput',
      instance: 0,
      value: Math.fround(200 + i),
      servedAt: t0 + i * 3000 + 20,
    }));
    const row10 = (i: number): Row => ({
      meter: 'meter-1',
      data_point: 'total_kwh',
      ts: new Date(t0 + i * 3000),
      value: Math.fround(200 + i),
      unit: 'kWh',
      quality: 'good',
    });
    const keep = (idx: number[]) => idx.map(row10);
    // drop-oldest until 20 s, then stop-collecting; the drops counted at 1 s, each refusal counted half a second after the value it refused was served.
    const window = (dropped: number, refused: number, refusedValues = [7, 8].slice(0, refused)): QueueLimitWindow[] => [
      {
        from: t0 - 3000,
        outageAt: t0,
        to: t0 + many * 3000,
        dropped,
        refused,
        phases: [
          { policy: 'drop-oldest', from: t0, to: t0 + 20_000 },
          { policy: 'stop-collecting', from: t0 + 20_000, to: t0 + many * 3000 },
        ],
        counters: [
          { at: t0, since: t0, dropped: 0, refused: 0 },
          { at: t0 + 1000, since: t0 + 750, dropped, refused: 0 },
          ...refusedValues.map((v, j) => ({
            at: t0 + v * 3000 + 500,
            since: t0 + v * 3000 + 250,
            dropped,
            refused: j + 1,
          })),
        ],
      },
    ];
    const run = (kept: number[], dropped: number, refused: number, refusedValues?: number[]) =>
      verify({
        meters: [meter],
        served: served10,
        site: keep(kept),
        central: keep(kept),
        excuses: [],
        qualityChanges: [],
        queueLimits: window(dropped, refused, refusedValues),
      });

    it('then the oldest values dropped and the values served while full refused, as counted, are policy drops, not losses', () => {
      const v = run([3, 4, 5, 6, 9], 3, 2);
      expect({ lost: v.lost, droppedByPolicy: v.droppedByPolicy, policyMismatches: v.policyMismatches }).toEqual({
        lost: 0,
        droppedByPolicy: 5,
        policyMismatches: 0,
      });
    });

    it('then a value missing beyond what the agent counted is lost', () => {
      expect(run([3, 4, 6, 9], 3, 2).lost).toBe(1);
    });

    it('then the agent counting more than is missing is a mismatch', () => {
      expect(run([3, 4, 5, 6, 7, 8, 9], 3, 2).policyMismatches).toBe(1);
    });

    it('then a value missing beyond the counters while the agent restarted is explained by the restart, and only then', () => {
      const withRestart = (span: { from: number; to: number }) =>
        verify({
          meters: [meter],
          served: served10,
          site: keep([3, 4, 5, 6, 9]),
          central: keep([3, 4, 5, 6, 9]),
          excuses: [],
          qualityChanges: [],
          queueLimits: [{ ...window(2, 2)[0]!, restart: span }],
        });
      const across = withRestart({ from: t0 + 6000, to: t0 + 6100 });
      expect({ lost: across.lost, excused: across.uncollectedExcused, mismatches: across.policyMismatches }).toEqual({
        lost: 0,
        excused: 1,
        mismatches: 0,
      });
      expect(withRestart({ from: t0 + 30_000, to: t0 + 30_100 }).lost).toBe(1);
    });

    it('then dropping a newer value while keeping older unsent ones, or storing values in the middle of a refusal, is a mismatch', () => {
      expect(run([0, 1, 2, 6, 7, 8, 9], 3, 0).policyMismatches).toBe(1);
      expect(run([0, 1, 2, 3, 5, 6, 8, 9], 0, 2, [4, 7]).policyMismatches).toBe(1);
    });

    // Found by the long chaos run: a slow meter at the start of the outage (its values explainable by that fault) whose
    // collected readings drop-oldest then deleted; the checker had taken them as the slow meter's and cried mismatch.
    it('then values another fault could explain count for the policy when the agent counted them, and are explained only beyond its counters', () => {
      const slow = [{ kind: 'meter answered after the agent timeout', from: t0, to: t0 + 3100, deviceId: 1 }];
      const counted = verify({
        meters: [meter],
        served: served10,
        site: keep([3, 4, 5, 6, 9]),
        central: keep([3, 4, 5, 6, 9]),
        excuses: slow,
        qualityChanges: [],
        queueLimits: window(3, 2),
      });
      expect({
        lost: counted.lost,
        excused: counted.uncollectedExcused,
        droppedByPolicy: counted.droppedByPolicy,
        mismatches: counted.policyMismatches,
      }).toEqual({ lost: 0, excused: 0, droppedByPolicy: 5, mismatches: 0 });
      const beyond = verify({
        meters: [meter],
        served: served10,
        site: keep([3, 4, 5, 6, 9]),
        central: keep([3, 4, 5, 6, 9]),
        excuses: slow,
        qualityChanges: [],
        queueLimits: window(2, 2),
      });
      expect({ lost: beyond.lost, excused: beyond.uncollectedExcused, mismatches: beyond.policyMismatches }).toEqual({
        lost: 0,
        excused: 1,
        mismatches: 0,
      });
    });

    // Found by the long chaos run: a value missing for no counted reason while a value of the refused stretch was also
    // served across the restart; the restart used to explain the wrong one and the surplus showed as a refused stretch
    // reaching back to the outage's start (a "policy mismatch" instead of a loss).
    it('then a value missing outside the refused stretch beyond the drops counted is lost and named, even when the restart could explain another', () => {
      const v = verify({
        meters: [meter],
        served: served10,
        site: keep([1, 2, 3, 5, 6, 9]),
        central: keep([1, 2, 3, 5, 6, 9]),
        excuses: [],
        qualityChanges: [],
        queueLimits: [{ ...window(1, 2)[0]!, restart: { from: t0 + 20_500, to: t0 + 21_500 } }],
      });
      expect({ lost: v.lost, mismatches: v.policyMismatches, excused: v.uncollectedExcused }).toEqual({
        lost: 1,
        mismatches: 0,
        excused: 0,
      });
      expect(v.problems[0]?.what).toContain(new Date(t0 + 4 * 3000 + 20).toISOString());
    });

    it('then drop-oldest may delete a newer reading once the older ones were sent, but not while they were still unsent beyond the batches on their way', () => {
      // Value 5 dropped at t0 + 20 s (the counter reached 1 then); values 0–4 kept. One batch of one reading may be on its way.
      const dropAt = t0 + 20_000;
      const check = (syncedAt: number) => {
        const rows = [0, 1, 2, 3, 4, 6, 7, 8, 9].map((i) => ({
          ...row10(i),
          syncedAt: new Date(i === 4 ? t0 + 40_000 : syncedAt),
        }));
        const w = {
          ...window(1, 0)[0]!,
          counters: [
            { at: t0, since: t0, dropped: 0, refused: 0 },
            { at: dropAt, since: dropAt - 250, dropped: 1, refused: 0 },
          ],
          batchSize: 1,
          maxInFlight: 1,
        };
        return verify({
          meters: [meter],
          served: served10,
          site: rows,
          central: rows,
          excuses: [],
          qualityChanges: [],
          queueLimits: [w],
        }).policyMismatches;
      };
      expect(check(dropAt - 1000)).toBe(0);
      expect(check(dropAt + 5000)).toBe(1);
    });
  });
});
