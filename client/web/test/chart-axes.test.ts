import { describe, expect, it } from 'vitest';
import {
  fromWallClock,
  labelWidth,
  lineSegments,
  niceStep,
  timeTicks,
  valueTicks,
  wallClock,
  zoneName,
} from '../src/chart-axes';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const t = (iso: string) => Date.parse(iso);
const distinct = (labels: string[]) => new Set(labels).size === labels.length;

describe('when the time axis picks its ticks', () => {
  it('then over the last hour they fall on whole minutes of the zone, are distinct, and fit the width', () => {
    const from = t('2026-12-03T09:07:31Z');
    const { ticks, labels } = timeTicks(from, from + HOUR, 900, 'Europe/Berlin', 'en-GB');
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    expect(distinct(labels)).toBe(true);
    expect(ticks.length * Math.max(...labels.map(labelWidth))).toBeLessThanOrEqual(900);
    for (const tick of ticks) expect(tick % (5 * 60_000)).toBe(0);
    // 10:10 Berlin time is 09:10 UTC in winter.
    expect(labels).toContain('10:10');
    expect(labels.every((l) => /^\d\d:\d\d$/.test(l))).toBe(true);
  });

  it('then a 3-day range on a phone shows dates at local midnight and never the same time twice', () => {
    const from = t('2026-12-01T06:00:00Z');
    const wide = timeTicks(from, from + 3 * DAY, 1200, 'America/New_York', 'en-GB');
    expect(distinct(wide.labels)).toBe(true);
    expect(wide.labels).toContain('2 Dec');
    // New York midnight is 05:00 UTC in December.
    expect(wide.ticks).toContain(t('2026-12-02T05:00:00Z'));
    const phone = timeTicks(from, from + 3 * DAY, 300, 'America/New_York', 'en-GB');
    expect(distinct(phone.labels)).toBe(true);
    expect(phone.ticks.length * Math.max(...phone.labels.map(labelWidth))).toBeLessThanOrEqual(300);
    expect(phone.ticks.length).toBeGreaterThanOrEqual(2);
  });

  it('then 30 days show day labels, a year months, and a zone with a half-hour offset still gets whole local hours', () => {
    const from = t('2026-11-03T00:00:00Z');
    const month = timeTicks(from, from + 30 * DAY, 1000, 'UTC', 'en-GB');
    expect(month.labels.every((l) => /^\d{1,2} [A-Z][a-z]{2}$/.test(l))).toBe(true);
    expect(distinct(month.labels)).toBe(true);
    const year = timeTicks(t('2026-01-01T00:00:00Z'), t('2027-01-01T00:00:00Z'), 1000, 'UTC', 'en-GB');
    expect(year.labels).toContain('Jul 2026');
    expect(distinct(year.labels)).toBe(true);
    const india = timeTicks(t('2026-12-03T00:00:00Z'), t('2026-12-03T12:00:00Z'), 800, 'Asia/Kolkata', 'en-GB');
    expect(india.labels.every((l) => /:00$/.test(l) || /Dec/.test(l))).toBe(true);
    expect(india.ticks.every((x) => (x - 30 * 60_000) % HOUR === 0)).toBe(true);
  });

  it('then across the autumn DST change the ticks stay on the local hours and the labels stay distinct', () => {
    // Europe/Berlin leaves summer time on 2026-10-25 at 03:00 local (01:00 UTC).
    const from = t('2026-10-24T22:00:00Z');
    const { labels, ticks } = timeTicks(from, from + 6 * HOUR, 1400, 'Europe/Berlin', 'en-GB');
    expect(distinct(labels)).toBe(true);
    expect(ticks.length).toBeGreaterThanOrEqual(6);
    expect(ticks.every((x) => x % (15 * 60_000) === 0)).toBe(true);
    expect(wallClock(t('2026-10-25T02:00:00Z'), 'Europe/Berlin')).toBe(t('2026-10-25T03:00:00Z'));
    expect(fromWallClock(t('2026-10-25T12:00:00Z'), 'Europe/Berlin')).toBe(t('2026-10-25T11:00:00Z'));
    expect(zoneName(t('2026-12-03T12:00:00Z'), 'Europe/Berlin', 'en-GB')).toBe('CET');
  });
});

describe('when the value axis picks its ticks', () => {
  it('then a kWh counter around 1.48 million with a span of 20 shows whole numbers that differ, and fits its width', () => {
    const v = valueTicks(1_483_441, 1_483_459, 'kWh', 280, 'en-GB');
    expect(distinct(v.labels)).toBe(true);
    expect(v.unit).toBe('kWh');
    expect(v.labels).toContain('1,483,450');
    expect(v.width).toBeGreaterThanOrEqual(Math.max(...v.labels.map((l) => l.length)) * 7);
    expect(v.ticks[0]).toBeLessThanOrEqual(1_483_441);
    expect(v.ticks.at(-1)).toBeGreaterThanOrEqual(1_483_459);
    const wider = valueTicks(1_483_440, 1_483_566, 'kWh', 190, 'en-GB');
    expect(wider.ticks[0]).toBeLessThanOrEqual(1_483_440);
    expect(wider.ticks.at(-1)).toBeGreaterThanOrEqual(1_483_566);
    expect(wider.unit).toBe('MWh');
    expect(distinct(wider.labels)).toBe(true);
  });

  it('then millions with a large span move the prefix into the unit (kWh → GWh) with the decimals that differ', () => {
    const v = valueTicks(0, 3_000_000, 'kWh', 280, 'en-GB');
    expect(v.unit).toBe('GWh');
    expect(v.divisor).toBe(1e6);
    expect(v.labels).toEqual(['0.0', '0.5', '1.0', '1.5', '2.0', '2.5', '3.0']);
    const noUnit = valueTicks(0, 3_000_000, null, 280, 'en-GB');
    expect(noUnit.labels).toContain('1.5 M');
    expect(distinct(noUnit.labels)).toBe(true);
  });

  it('then small values keep their decimals, a flat series gets a span, and nice steps are 1, 2, 2.5 or 5 × 10ⁿ', () => {
    const v = valueTicks(0.0012, 0.0047, 'kW', 280, 'en-GB');
    expect(distinct(v.labels)).toBe(true);
    expect(v.labels.every((l) => /^0\.\d{3,4}$/.test(l))).toBe(true);
    const flat = valueTicks(42, 42, 'kW', 200, 'en-GB');
    expect(flat.ticks.length).toBeGreaterThanOrEqual(2);
    expect(distinct(flat.labels)).toBe(true);
    expect([0.7, 1.5, 2.2, 3, 7, 30].map(niceStep)).toEqual([1, 2, 2.5, 5, 10, 50]);
  });
});

describe('when a series has null points', () => {
  it('then the line has one stretch per run of readings between gaps', () => {
    expect(lineSegments([1, 2, null, null, 3, 4])).toBe(2);
    expect(lineSegments([null, 1, null, 2, null])).toBe(2);
    expect(lineSegments([1, 2, 3])).toBe(1);
    expect(lineSegments([null])).toBe(0);
  });
});
