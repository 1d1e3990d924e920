import { bacnetBinding } from '../../src/meters/bacnet/index.js';
import type { MeterProtocol } from '../../src/meters/protocol.js';
import { MeterProtocols } from '../../src/meters/registry.js';

/** The registry the agent builds: every meter (they all name bacnet, or nothing) read through this adapter. */
export function bacnetProtocols(adapter: MeterProtocol): MeterProtocols {
  return new MeterProtocols({ bacnet: bacnetBinding(adapter) });
}
