import type { AlertRuleKind, AlertSeverity } from '@meterit/shared';
import type { AlertsConfig } from './alerts-config.js';

export interface BuiltinSpec {
  kind: AlertRuleKind;
  name: string;
  severity: AlertSeverity;
  unit: string;
  description: string;
  envKey: string;
  fromConfig(c: AlertsConfig): number;
}

/** The original design's monitoring alerts, one rule each. Thresholds come from the environment until overridden. */
export const BUILTIN_RULES: BuiltinSpec[] = [
  {
    kind: 'heartbeat_missing',
    name: 'Site heartbeat missing',
    severity: 'critical',
    unit: 'min',
    envKey: 'ALERT_HEARTBEAT_MISSING_MINUTES',
    fromConfig: (c) => c.heartbeatMissingMinutes,
    description:
      'No heartbeat from a site agent for longer than the threshold: the agent, its machine or its uplink is down.',
  },
  {
    kind: 'uplink_down',
    name: 'Site could not reach the client system',
    severity: 'warning',
    unit: 'min',
    envKey: 'ALERT_UPLINK_DOWN_MINUTES',
    fromConfig: (c) => c.uplinkDownMinutes,
    description:
      "A site's heartbeat reports its uplink down, or its oldest unsent reading older than the threshold (known once the agent reconnects).",
  },
  {
    kind: 'meter_unreachable',
    name: 'Meter unreachable',
    severity: 'warning',
    unit: 'min',
    envKey: 'ALERT_METER_UNREACHABLE_MINUTES',
    fromConfig: (c) => c.meterUnreachableMinutes,
    description:
      'No reading from a meter for longer than the threshold while its site is online and delivering (so it is the meter, not the uplink).',
  },
  {
    kind: 'backlog_size',
    name: 'Site backlog too large',
    severity: 'warning',
    unit: 'readings',
    envKey: 'ALERT_BACKLOG_READINGS',
    fromConfig: (c) => c.backlogReadings,
    description: "A site's heartbeat reports more unsent readings than the threshold.",
  },
  {
    kind: 'database_down',
    name: 'Central database unreachable',
    severity: 'critical',
    unit: 'min',
    envKey: 'ALERT_DATABASE_DOWN_MINUTES',
    fromConfig: (c) => c.databaseDownMinutes,
    description:
      'The client system cannot reach its own PostgreSQL. The e-mail is sent from memory; the outbox records it when the database is back.',
  },
  {
    kind: 'queue_full',
    name: 'Site queue full / readings dropped',
    severity: 'critical',
    unit: 'readings',
    envKey: 'ALERT_QUEUE_LOST_READINGS',
    fromConfig: (c) => c.queueLostReadings,
    description:
      "A site agent's upload queue reached its storage limit (QUEUE_MAX_READINGS) and its policy (QUEUE_FULL_POLICY) dropped the oldest unsent readings or refused new ones: fires when more readings than the threshold were lost while it is full, or between two evaluations; resolves when the agent reports the queue below its limit again.",
  },
  {
    kind: 'meter_wrong_device',
    name: 'Meter answers as another device',
    severity: 'critical',
    unit: 'min',
    envKey: 'ALERT_METER_WRONG_DEVICE_MINUTES',
    fromConfig: (c) => c.meterWrongDeviceMinutes,
    description:
      "A site agent reports (heartbeat meter_states) that another BACnet device instance answers at a meter's address than the one configured, for longer than the threshold (0: at once). The agent stores nothing for that meter meanwhile; resolves when the configured device answers again.",
  },
  {
    kind: 'site_database_down',
    name: "Site agent's own database down",
    severity: 'critical',
    unit: 'min',
    envKey: 'ALERT_SITE_DATABASE_DOWN_MINUTES',
    fromConfig: (c) => c.siteDatabaseDownMinutes,
    description:
      'A site agent reports (heartbeat local_database) that its own PostgreSQL has been restarting or down for longer than the threshold: it keeps collecting into its spill file, but cannot queue or send. Resolves when the agent reports it up again.',
  },
  {
    kind: 'api_error_rate',
    name: 'API error rate high',
    severity: 'warning',
    unit: '%',
    envKey: 'ALERT_ERROR_RATE_PERCENT',
    fromConfig: (c) => c.errorRatePercent,
    description:
      "More than the threshold of this API process's responses were server errors (5xx) over the error-rate window.",
  },
];

export const OPERATOR_KIND_TEXT: Record<
  'threshold' | 'no_data' | 'daily_energy',
  { unit: string | null; description: string }
> = {
  threshold: { unit: null, description: 'A data point above, below or outside a range, held for the given duration.' },
  no_data: { unit: 'min', description: 'No new reading from a meter for the given number of minutes.' },
  daily_energy: { unit: 'kWh', description: 'Energy since local midnight above the given number of kWh.' },
};

export const builtinSpec = (kind: string): BuiltinSpec | undefined => BUILTIN_RULES.find((b) => b.kind === kind);
