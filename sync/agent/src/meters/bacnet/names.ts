import { ObjectType, PropertyIdentifier } from '@bacnet-js/client';

/** 'analogInput', 'analog-input', 'analog_input', 'ANALOG_INPUT' → 'ANALOG_INPUT'. */
function enumKey(name: string): string {
  return name
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[-\s]+/g, '_')
    .toUpperCase();
}

/** 'ANALOG_INPUT' → 'analogInput', the spelling of meters.json. */
function camel(key: string): string {
  return key.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function lookup(table: Record<string, string | number>, what: string, name: string | number): number {
  if (typeof name === 'number') {
    if (!Number.isInteger(name) || name < 0) throw new Error(`invalid BACnet ${what} ${name}`);
    return name;
  }
  if (/^\d+$/.test(name.trim())) return Number(name);
  const value = table[enumKey(name)];
  if (typeof value !== 'number') throw new Error(`unknown BACnet ${what} "${name}"`);
  return value;
}

export function objectTypeId(name: string | number): number {
  return lookup(ObjectType as unknown as Record<string, string | number>, 'object type', name);
}

export function propertyId(name: string | number): number {
  return lookup(PropertyIdentifier as unknown as Record<string, string | number>, 'property', name);
}

export function objectTypeName(id: number): string {
  const key = (ObjectType as unknown as Record<number, string | undefined>)[id];
  return key ? camel(key) : String(id);
}

export function propertyName(id: number): string {
  const key = (PropertyIdentifier as unknown as Record<number, string | undefined>)[id];
  return key ? camel(key) : String(id);
}
