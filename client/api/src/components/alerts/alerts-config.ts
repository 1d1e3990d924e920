import { z } from 'zod';

/** The alert engine's settings: environment defaults (each built-in rule's threshold can be overridden per rule in the database). */
export interface AlertsConfig {
  /** false: no evaluation loop (the routes and outbox still work). */
  enabled: boolean;
  evalIntervalSeconds: number;
  heartbeatMissingMinutes: number;
  uplinkDownMinutes: number;
  meterUnreachableMinutes: number;
  backlogReadings: number;
  /** Readings a site may lose to its queue's storage limit (dropped or refused) before the queue-full alert fires. */
  queueLostReadings: number;
  /** Minutes a site agent must report another device at a meter's address (its heartbeat's meter_states) before the alert fires; 0 = at once. */
  meterWrongDeviceMinutes: number;
  siteDatabaseDownMinutes: number;
  databaseDownMinutes: number;
  errorRatePercent: number;
  errorRateWindowMinutes: number;
  errorRateMinRequests: number;
  cooldownMinutes: number;
  /** Days for "daily energy" rules start at local midnight of this zone. */
  timeZone: string;
  /** smtp://user:pass@host:587 or smtps://…; undefined = record e-mails in the outbox instead of sending (demo). */
  smtpUrl: string | undefined;
  emailFrom: string;
  /** Default recipients when a rule names none. */
  emailTo: string[];
  /** Links in e-mails point here. */
  publicUrl: string;
  deliveryMaxAttempts: number;
  retryBaseSeconds: number;
  retryCapSeconds: number;
}

const decimal = (fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? String(fallback) : v.trim()))
    .pipe(z.string().regex(/^\d+(\.\d+)?$/, 'must be a number such as 10 or 0.5'))
    .transform(Number)
    .pipe(z.number().min(min).max(max));

const text = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const EMAIL = /^[^\s@,<>]+@[^\s@,<>]+$/;

/** Keys merged into the API's environment schema (config.ts); each is documented in .env.example. */
export const ALERT_ENV = {
  ALERT_ENGINE_ENABLED: z
    .enum(['true', 'false', '1', '0', ''])
    .optional()
    .transform((v) => v === undefined || v === '' || v === 'true' || v === '1'),
  ALERT_EVAL_INTERVAL_SECONDS: decimal(30, 0.2, 3600),
  ALERT_HEARTBEAT_MISSING_MINUTES: decimal(10, 0.01, 10_080),
  ALERT_UPLINK_DOWN_MINUTES: decimal(15, 0.01, 10_080),
  ALERT_METER_UNREACHABLE_MINUTES: decimal(5, 0.01, 10_080),
  ALERT_BACKLOG_READINGS: decimal(10_000, 1, 1e12),
  ALERT_QUEUE_LOST_READINGS: decimal(0, 0, 1e12),
  ALERT_METER_WRONG_DEVICE_MINUTES: decimal(0, 0, 10_080),
  ALERT_SITE_DATABASE_DOWN_MINUTES: decimal(2, 0, 10_080),
  ALERT_DATABASE_DOWN_MINUTES: decimal(1, 0, 1440),
  ALERT_ERROR_RATE_PERCENT: decimal(5, 0, 100),
  ALERT_ERROR_RATE_WINDOW_MINUTES: decimal(5, 0.05, 1440),
  ALERT_ERROR_RATE_MIN_REQUESTS: decimal(20, 1, 1e9),
  ALERT_COOLDOWN_MINUTES: decimal(30, 0, 10_080),
  ALERT_TIME_ZONE: text.refine(
    (v) => v === undefined || isTimeZone(v),
    'must be an IANA time zone such as Europe/Berlin',
  ),
  SMTP_URL: text.refine(
    (v) => v === undefined || /^smtps?:\/\/[^/]+/.test(v),
    'must be smtp://[user:pass@]host[:port] or smtps://…',
  ),
  ALERT_EMAIL_FROM: text.refine(
    (v) => v === undefined || EMAIL.test(v.replace(/^.*<(.+)>$/, '$1')),
    'must be an e-mail address (optionally "Name <addr>")',
  ),
  ALERT_EMAIL_TO: text.refine(
    (v) => v === undefined || v.split(',').every((a) => EMAIL.test(a.trim())),
    'must be a comma-separated list of e-mail addresses',
  ),
  PUBLIC_URL: text.refine(
    (v) => v === undefined || /^https?:\/\/[^/]+/.test(v),
    'must be the web app address, e.g. https://meterit.example.com',
  ),
  ALERT_DELIVERY_MAX_ATTEMPTS: decimal(8, 1, 100),
  ALERT_RETRY_BASE_SECONDS: decimal(5, 0.01, 3600),
  ALERT_RETRY_CAP_SECONDS: decimal(600, 0.01, 86_400),
};

type AlertEnv = { [K in keyof typeof ALERT_ENV]: z.output<(typeof ALERT_ENV)[K]> };

export function alertsConfigFromEnv(e: AlertEnv, port: number): AlertsConfig {
  return {
    enabled: e.ALERT_ENGINE_ENABLED,
    evalIntervalSeconds: e.ALERT_EVAL_INTERVAL_SECONDS,
    heartbeatMissingMinutes: e.ALERT_HEARTBEAT_MISSING_MINUTES,
    uplinkDownMinutes: e.ALERT_UPLINK_DOWN_MINUTES,
    meterUnreachableMinutes: e.ALERT_METER_UNREACHABLE_MINUTES,
    backlogReadings: e.ALERT_BACKLOG_READINGS,
    queueLostReadings: e.ALERT_QUEUE_LOST_READINGS,
    meterWrongDeviceMinutes: e.ALERT_METER_WRONG_DEVICE_MINUTES,
    siteDatabaseDownMinutes: e.ALERT_SITE_DATABASE_DOWN_MINUTES,
    databaseDownMinutes: e.ALERT_DATABASE_DOWN_MINUTES,
    errorRatePercent: e.ALERT_ERROR_RATE_PERCENT,
    errorRateWindowMinutes: e.ALERT_ERROR_RATE_WINDOW_MINUTES,
    errorRateMinRequests: e.ALERT_ERROR_RATE_MIN_REQUESTS,
    cooldownMinutes: e.ALERT_COOLDOWN_MINUTES,
    timeZone: e.ALERT_TIME_ZONE ?? 'UTC',
    smtpUrl: e.SMTP_URL,
    emailFrom: e.ALERT_EMAIL_FROM ?? 'MeterIT <meterit@localhost>',
    emailTo: e.ALERT_EMAIL_TO ? e.ALERT_EMAIL_TO.split(',').map((a) => a.trim()) : [],
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    deliveryMaxAttempts: Math.round(e.ALERT_DELIVERY_MAX_ATTEMPTS),
    retryBaseSeconds: e.ALERT_RETRY_BASE_SECONDS,
    retryCapSeconds: e.ALERT_RETRY_CAP_SECONDS,
  };
}

/** The defaults, for tests and for callers that build a config by hand. */
export function defaultAlertsConfig(overrides: Partial<AlertsConfig> = {}): AlertsConfig {
  const parsed = z.object(ALERT_ENV).parse({});
  return { ...alertsConfigFromEnv(parsed, 3001), ...overrides };
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
