// BACnet engineering units (ASHRAE 135 EngineeringUnits enumeration) that energy meters use.
const SYMBOLS: Readonly<Record<number, string>> = {
  2: 'mA',
  3: 'A',
  5: 'V',
  6: 'kV',
  8: 'VA',
  9: 'kVA',
  11: 'var',
  12: 'kvar',
  14: '°',
  15: 'PF',
  18: 'Wh',
  19: 'kWh',
  27: 'Hz',
  47: 'W',
  48: 'kW',
  49: 'MW',
  62: '°C',
  80: 'm³',
  95: '',
  98: '%',
  146: 'MWh',
  204: 'kvarh',
  240: 'kVAh',
};

/** Symbol for a BACnet engineering unit number ('kWh' for 19), or null when not known. */
export function unitSymbol(units: number | null | undefined): string | null {
  if (units === null || units === undefined) return null;
  return SYMBOLS[units] ?? null;
}
