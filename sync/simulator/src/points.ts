import { EngineeringUnits } from '@bacnet-js/client';

/** What a point's present value follows. */
export type PointModel =
  /** Energy register: only grows, by the meter's power × elapsed time. */
  | { kind: 'energy' }
  /** Active power: a daily curve around the meter's base load plus a little noise. */
  | { kind: 'power' }
  /** Phase voltage around 230 V. */
  | { kind: 'voltage' }
  /** Phase current that matches the power (three phases, power factor 0.95). */
  | { kind: 'current' }
  /** A fixed value. */
  | { kind: 'constant'; value: number }
  /** Anything else; called on every read of presentValue. */
  | { kind: 'custom'; value: (ctx: PointContext) => number };

export interface PointContext {
  /** The simulator clock, ms since the epoch. */
  now: number;
  deviceId: number;
  instance: number;
  /** How many times this point's present value was served before this read. */
  readCount: number;
  /** The meter's seeded random source, 0 ≤ x < 1. */
  random: () => number;
}

/** The object types a simulated point can have. */
export type SimObjectType = 'analogInput' | 'analogValue';

export interface SimPointSpec {
  /** Default 'analogInput'. */
  objectType?: SimObjectType;
  instance: number;
  /** BACnet objectName, also the data point name written to meters.json. */
  name: string;
  /** BACnet EngineeringUnits number (19 kWh, 48 kW, 5 V, 3 A, …). */
  units: number;
  model: PointModel;
  description?: string;
}

/** The standard energy meter: total kWh, power, voltage and current. */
export function standardMeterPoints(): SimPointSpec[] {
  return [
    {
      instance: 0,
      name: 'total_kwh',
      units: EngineeringUnits.KILOWATT_HOURS,
      model: { kind: 'energy' },
      description: 'Active energy import',
    },
    {
      instance: 1,
      name: 'current_kw',
      units: EngineeringUnits.KILOWATTS,
      model: { kind: 'power' },
      description: 'Total active power',
    },
    {
      instance: 2,
      name: 'voltage',
      units: EngineeringUnits.VOLTS,
      model: { kind: 'voltage' },
      description: 'Phase voltage L1-N',
    },
    {
      instance: 3,
      name: 'current',
      units: EngineeringUnits.AMPERES,
      model: { kind: 'current' },
      description: 'Phase current L1',
    },
  ];
}

const DAY_MS = 86_400_000;

/** The energy registers count from here, so a meter restarted later continues where it was. */
const REGISTER_EPOCH_MS = Date.UTC(2025, 0, 1);

/**
 * The physical state behind one meter's points. Power follows a daily curve (with a little noise
 * on what is read); the energy register is the integral of that curve since REGISTER_EPOCH, a pure
 * function of time, so it only ever grows, and a simulator restarted with the same seed goes on
 * from where it was instead of looking like a meter reset.
 */
export class MeterPhysics {
  private readonly baseKw: number;
  private readonly phase: number;
  private readonly registerAtEpochKwh: number;
  private lastEnergyKwh = 0;

  constructor(private readonly random: () => number) {
    this.baseKw = 5 + random() * 75;
    this.phase = random() * 2 * Math.PI;
    this.registerAtEpochKwh = 10_000 + random() * 490_000;
  }

  private dailyFactor(now: number): number {
    return 1 + 0.3 * Math.sin((2 * Math.PI * (now % DAY_MS)) / DAY_MS + this.phase);
  }

  powerKw(now: number): number {
    const noise = 1 + (this.random() - 0.5) * 0.04;
    return Math.max(0, this.baseKw * this.dailyFactor(now) * noise);
  }

  /** The energy register at `now`; a clock that goes back adds nothing. */
  energy(now: number): number {
    // ∫ baseKw · (1 + 0.3 sin(2πt/DAY + φ)) dt from the epoch, in kWh (the daily factor is ≥ 0.7, so it grows).
    const t = now - REGISTER_EPOCH_MS;
    const angle = (ms: number) => (2 * Math.PI * ms) / DAY_MS + this.phase;
    const hours = t / 3_600_000;
    const wave = ((0.3 * DAY_MS) / (2 * Math.PI * 3_600_000)) * (Math.cos(angle(0)) - Math.cos(angle(t)));
    const kwh = this.registerAtEpochKwh + this.baseKw * (hours + wave);
    this.lastEnergyKwh = Math.max(this.lastEnergyKwh, kwh);
    return this.lastEnergyKwh;
  }

  voltage(): number {
    return 230 + (this.random() - 0.5) * 6;
  }

  current(now: number): number {
    return (this.powerKw(now) * 1000) / (3 * 230 * 0.95);
  }
}

export function modelValue(model: PointModel, physics: MeterPhysics, ctx: PointContext): number {
  switch (model.kind) {
    case 'energy':
      return physics.energy(ctx.now);
    case 'power':
      return physics.powerKw(ctx.now);
    case 'voltage':
      return physics.voltage();
    case 'current':
      return physics.current(ctx.now);
    case 'constant':
      return model.value;
    case 'custom':
      return model.value(ctx);
  }
}
