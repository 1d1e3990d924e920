import { describe, expect, it } from 'vitest';
import {
  alertEventWords,
  ErrorCode,
  errorWords,
  notificationStatusWords,
  OperatorErrorCode,
  pointLabel,
  pointName,
  qualityWords,
} from '../src/index.js';

describe('when a data point is shown to a person', () => {
  it.each([
    ['total_kwh', 'kWh', 'Energy (kWh)'],
    ['current_kw', 'kW', 'Power (kW)'],
    ['voltage', 'V', 'Voltage (V)'],
    ['current', 'A', 'Current (A)'],
    ['voltage_l1', 'V', 'Voltage L1 (V)'],
    ['voltage_l1_l2', 'V', 'Voltage L1–L2 (V)'],
    ['current_l3', 'A', 'Current L3 (A)'],
    ['power_factor', null, 'Power factor'],
    ['boiler_flow_temp', '°C', 'Boiler flow temp (°C)'],
    ['chillerSupplyTemp', '°C', 'Chiller supply temp (°C)'],
  ])('then %s in %s reads "%s"', (name, unit, label) => {
    expect(pointLabel(name, unit)).toBe(label);
  });

  it('then a point stored without a unit takes the unit its name ends with, and the name loses it', () => {
    expect(pointLabel('total_kwh')).toBe('Energy (kWh)');
    expect(pointLabel('boiler_kwh', null)).toBe('Boiler (kWh)');
    expect(pointName('pump_2_kw')).toBe('Pump 2');
  });

  it('then a name it knows nothing about still reads as words, never as snake_case', () => {
    expect(pointName('some_odd__Name')).toBe('Some odd name');
    expect(pointLabel('x', '')).toBe('X');
  });
});

describe('when a code is shown to a person', () => {
  it('then every error code the API or the agent can send has its own plain words', () => {
    const codes = [...Object.values(ErrorCode), ...Object.values(OperatorErrorCode)];
    const words = codes.map(errorWords);
    for (const [i, w] of words.entries()) expect(w, codes[i]).not.toBe(codes[i]);
    expect(new Set(words).size).toBe(codes.length);
    expect(errorWords('METER_TIMEOUT')).toBe('The meter did not answer in time');
    expect(errorWords('SOMETHING_NEW')).toBe('SOMETHING_NEW');
  });

  it('then reading quality flags, alert history and outbox states read as words', () => {
    expect(qualityWords('inAlarm+fault')).toBe('in alarm, fault');
    expect(qualityWords('outOfService')).toBe('out of service');
    expect(alertEventWords('firing')).toBe('Fired');
    expect(alertEventWords('acknowledged')).toBe('Acknowledged');
    expect(notificationStatusWords('recorded')).toBe('Not sent, recorded here (no SMTP server)');
  });
});
