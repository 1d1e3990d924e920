// The agent's BACnet/IP protocol: the only code in the agent that imports @bacnet-js/client.
export { BacnetAdapter } from './adapter.js';
export { bacnetBinding } from './binding.js';
export type {
  BacnetAdapterOptions,
  DeviceRef,
  DiscoveredDevice,
  DiscoveredPoint,
  DiscoverOptions,
  PointFailure,
  PointReading,
  PointRef,
  PointResult,
  RawReadResult,
  RawValue,
} from './types.js';
export { BacnetError, BacnetErrorCode } from './errors.js';
export { BBMD_TTL_SECONDS, parseBbmdAddress } from './foreign-device.js';
export type { ForeignDeviceStatus } from './foreign-device.js';
export type { BroadcastListener } from './transport.js';
export type { BacnetErrorCodeValue } from './errors.js';
export type { Logger } from './logger.js';
