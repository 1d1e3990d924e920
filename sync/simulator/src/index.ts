// BACnet/IP energy-meter simulator: one library device per meter, for the demo, tests and benchmarks.
export { startSimulator } from './simulator.js';
export type { Simulator, SimulatorOptions, SimMeterInfo, SimPointInfo } from './simulator.js';
export { startBbmd, Bvlc, BvlcResultCode } from './bbmd.js';
export type { Bbmd, BbmdForward, BbmdOptions, ForeignDeviceEntry } from './bbmd.js';
export { DEFAULT_BEHAVIOUR } from './behaviour.js';
export type { MeterBehaviour, MeterBehaviourInput } from './behaviour.js';
export type { Logger, SimMeterSpec, WhoIsSeen } from './meter.js';
export type { ServedValue } from './object-model.js';
export { standardMeterPoints } from './points.js';
export type { PointContext, PointModel, SimObjectType, SimPointSpec } from './points.js';
export { toMetersJson } from './meters-json.js';
export type { MetersJsonMeter } from './meters-json.js';
export { createRandom } from './random.js';
