import { describe, expect, it } from 'vitest';
import { isExportPoint, startOfDay, utcOffsetMs } from '../src/index.js';

describe('UTC offsets and local midnight', () => {
  it('when Berlin changes its clocks, then the offset is +1 h before and +2 h after, and midnight of that day is at +1 h', () => {
    expect(utcOffsetMs('Europe/Berlin', Date.parse('2025-03-30T00:59:59Z'))).toBe(3_600_000);
    expect(utcOffsetMs('Europe/Berlin', Date.parse('2025-03-30T01:00:00Z'))).toBe(7_200_000);
    expect(utcOffsetMs('Asia/Kathmandu', Date.parse('2025-06-01T00:00:00Z'))).toBe(5.75 * 3_600_000);
    expect(startOfDay('Europe/Berlin', new Date('2025-03-30T12:00:00Z')).toISOString()).toBe(
      '2025-03-29T23:00:00.000Z',
    );
    expect(startOfDay('Europe/Berlin', new Date('2025-06-30T22:30:00Z')).toISOString()).toBe(
      '2025-06-30T22:00:00.000Z',
    );
    expect(startOfDay('America/New_York', new Date('2025-11-02T12:00:00Z')).toISOString()).toBe(
      '2025-11-02T04:00:00.000Z',
    );
  });
});

describe('export counters', () => {
  it('when a counter is named export…, exported… or feed_in…, then it counts energy fed in; other names count energy drawn', () => {
    expect(
      ['export_kwh', 'Export_Energy_Wh', 'exported_kwh', 'feed_in_kwh', 'feedin_kwh', 'export'].map(isExportPoint),
    ).toEqual([true, true, true, true, true, true]);
    expect(['total_kwh', 'import_kwh', 'exporter_kwh', 'net_export_kwh'].map(isExportPoint)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});
