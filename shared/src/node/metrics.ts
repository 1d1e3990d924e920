import client from 'prom-client';

export type MetricsRegistry = client.Registry;

/** A Prometheus registry for one process, with the Node.js defaults (memory, event loop, GC). */
export function createMetricsRegistry(service: string): MetricsRegistry {
  const registry = new client.Registry();
  registry.setDefaultLabels({ service });
  client.collectDefaultMetrics({ register: registry });
  return registry;
}

export const prom = { Counter: client.Counter, Gauge: client.Gauge, Histogram: client.Histogram };
