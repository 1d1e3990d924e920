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

/** What the tool-call figures need of one MCP tools/call. */
export interface CountedToolCall {
  tool: string;
  outcome: string;
  durationMs: number;
}

/**
 * The MCP figures both servers publish: meterit_mcp_tool_calls_total by tool and outcome, and
 * meterit_mcp_tool_call_duration_seconds by tool. Callers choose the tool name: names outside
 * `knownTools` share the label 'unknown' so they cannot grow the series.
 */
export function createToolCallMetrics(
  registry: MetricsRegistry,
  knownTools: Iterable<string>,
): (call: CountedToolCall) => void {
  const known = new Set(knownTools);
  const calls = new client.Counter({
    name: 'meterit_mcp_tool_calls_total',
    help: 'MCP tool calls by tool and outcome (ok, error, forbidden, invalid)',
    labelNames: ['tool', 'outcome'] as const,
    registers: [registry],
  });
  const duration = new client.Histogram({
    name: 'meterit_mcp_tool_call_duration_seconds',
    help: 'MCP tool call duration',
    labelNames: ['tool'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  return (call) => {
    const tool = known.has(call.tool) ? call.tool : 'unknown';
    calls.inc({ tool, outcome: call.outcome });
    duration.observe({ tool }, call.durationMs / 1000);
  };
}
