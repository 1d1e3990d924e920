export interface StatusFlags {
  inAlarm: boolean;
  fault: boolean;
  overridden: boolean;
  outOfService: boolean;
}

export const GOOD_QUALITY = 'good';

/** 'good' when no status flag is set, otherwise the set flags joined with '+', e.g. 'inAlarm+fault'. */
export function qualityFromStatusFlags(flags: StatusFlags): string {
  const set = (['inAlarm', 'fault', 'overridden', 'outOfService'] as const).filter((f) => flags[f]);
  return set.length === 0 ? GOOD_QUALITY : set.join('+');
}
