import { describe, expect, it } from 'vitest';
import { discoveryView, readValuesView, type DiscoveredDevice } from '../src/site-contracts.js';

const device = (deviceId: number, over: Partial<DiscoveredDevice> = {}): DiscoveredDevice => ({
  deviceId,
  address: `10.0.0.${deviceId % 250}`,
  port: 47808,
  maxApdu: 1476,
  segmentation: 0,
  vendorId: 7,
  objectName: `Device ${deviceId}`,
  vendorName: 'Acme',
  modelName: 'EM-9',
  objects: [{ objectType: 'device', instance: deviceId }],
  points: [],
  errors: [],
  ...over,
});

const configured = [
  { id: 'MAIN', name: 'Main incomer', deviceId: 101 },
  { id: 'COLD', name: 'Cold store', deviceId: 102 },
  { id: 'FAR', name: 'Far building', deviceId: 900 },
];

describe('the technician tools: one builder for the answers of discovery and a live read', () => {
  it('when some configured meters answer a Who-Is over a range and others stay silent, then each device names the meter it is, and only silent meters inside the range are listed', () => {
    const found = [
      device(101, {
        points: [{ objectType: 'analogInput', instance: 0, objectName: 'total_kwh', units: 19, unitSymbol: 'kWh' }],
      }),
      device(555, { objectName: null, vendorName: null, errors: ['objectName: timeout'] }),
    ];
    const view = discoveryView(found, configured, { low_limit: 100, high_limit: 600 });
    expect(view.devices).toEqual([
      {
        device_id: 101,
        address: '10.0.0.101',
        port: 47808,
        name: 'Device 101',
        vendor_id: 7,
        vendor_name: 'Acme',
        model_name: 'EM-9',
        max_apdu: 1476,
        objects: [{ object_type: 'device', instance: 101 }],
        points: [{ object_type: 'analogInput', instance: 0, name: 'total_kwh', units: 19, unit: 'kWh' }],
        configured_as: { meter: 'MAIN', name: 'Main incomer' },
        errors: [],
      },
      expect.objectContaining({ device_id: 555, name: null, configured_as: null, errors: ['objectName: timeout'] }),
    ]);
    // FAR (device 900) was not asked for, so its silence says nothing.
    expect(view.configured_not_found).toEqual(['COLD']);
    expect(discoveryView(found, configured, {}).configured_not_found).toEqual(['COLD', 'FAR']);
  });

  it('when the Who-Is went to given addresses, then no configured meter is reported silent: the others were not asked', () => {
    const view = discoveryView([device(101)], configured, { addresses: ['10.0.0.101'] });
    expect(view.devices.map((d) => d.configured_as?.meter)).toEqual(['MAIN']);
    expect(view.configured_not_found).toEqual([]);
  });

  it('when a device answers with bytes, a big integer, a non-finite number, a date and a list, then each value is plain JSON under its tag name', () => {
    const values = readValuesView([
      { type: 6, value: Buffer.from([0x01, 0x02, 0xff]) },
      { type: 6, value: new Uint8Array([0x0a, 0x00]) },
      { type: 2, value: 12345678901234567890n },
      { type: 4, value: Number.NaN },
      { type: 10, value: new Date('2026-11-21T10:00:00Z') },
      { type: 8, value: [true, null, 3] },
      { type: 42, value: 'x' },
    ]);
    expect(values).toEqual([
      { tag: 6, tag_name: 'OCTET_STRING', value: '0102ff' },
      { tag: 6, tag_name: 'OCTET_STRING', value: '0a00' },
      { tag: 2, tag_name: 'UNSIGNED_INTEGER', value: '12345678901234567890' },
      { tag: 4, tag_name: 'REAL', value: 'NaN' },
      { tag: 10, tag_name: 'DATE', value: '2026-11-21T10:00:00.000Z' },
      { tag: 8, tag_name: 'BIT_STRING', value: [true, null, 3] },
      { tag: 42, tag_name: 'TAG_42', value: 'x' },
    ]);
    expect(JSON.parse(JSON.stringify(values))).toEqual(values);
  });
});
