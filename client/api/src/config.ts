import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parseConfig } from '@meterit/shared/node';
import { ALERT_ENV, alertsConfigFromEnv } from './components/alerts/alerts-config.js';

// src/config.ts and dist/config.js sit at the same depth: <repo>/client/api/{src,dist}/config.*
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Secrets that ship in examples and must never run in production. */
const KNOWN_WEAK_SECRETS = new Set(['secret', 'changeme', 'change-me', 'jwt_secret', '<secret>', 'development']);

export type DatabaseConfig =
  | { kind: 'url'; url: string }
  | { kind: 'connection'; host: string; port: number; database: string; user: string; password: string }
  | { kind: 'embedded'; dataDir: string; port: number; database: string };

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const port = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? String(fallback) : v.trim()))
    .pipe(z.string().regex(/^\d+$/, 'must be a whole number'))
    .transform(Number)
    .pipe(z.number().int().min(0).max(65535));

const wholeNumber = (fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? String(fallback) : v.trim()))
    .pipe(z.string().regex(/^\d+$/, 'must be a whole number'))
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/** A retention in whole months (1..1200), or empty for none. */
const optionalMonths = (emptyMeans: string) =>
  optionalString.pipe(
    z
      .string()
      .regex(/^\d+$/, `must be a whole number of months (empty = ${emptyMeans})`)
      .transform(Number)
      .pipe(z.number().int().min(1).max(1200))
      .optional(),
  );

const envSchema = z
  .object({
    NODE_ENV: z
      .enum(['development', 'production', 'test'])
      .optional()
      .transform((v) => v ?? 'development'),
    PORT: port(3001),
    HOST: optionalString,
    DATABASE_URL: optionalString.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
    POSTGRES_HOST: optionalString,
    POSTGRES_PORT: port(5432),
    POSTGRES_DB: optionalString,
    POSTGRES_USER: optionalString,
    POSTGRES_PASSWORD: z.string().optional(),
    CLIENT_DATA_DIR: optionalString,
    EMBEDDED_PG_PORT: port(5433),
    JWT_SECRET: optionalString,
    SYNC_RATE_LIMIT_PER_MINUTE: z
      .string()
      .optional()
      .transform((v) => (v === undefined || v.trim() === '' ? '600' : v.trim()))
      .pipe(z.string().regex(/^\d+$/, 'must be a whole number'))
      .transform(Number)
      .pipe(z.number().int().min(1).max(1_000_000)),
    BODY_LIMIT: z
      .string()
      .optional()
      .transform((v) => (v === undefined || v.trim() === '' ? '10mb' : v.trim()))
      .pipe(z.string().regex(/^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i, 'must be a size such as 10mb, 512kb or 1048576')),
    LOG_LEVEL: z
      .enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'])
      .optional()
      .transform((v) => v ?? 'info'),
    LOG_FILE: optionalString,
    TRUST_PROXY: z
      .enum(['true', 'false', '1', '0', ''])
      .optional()
      .transform((v) => v === 'true' || v === '1'),
    ACCESS_TOKEN_TTL_SECONDS: wholeNumber(900, 10, 86_400),
    REFRESH_TOKEN_TTL_DAYS: wholeNumber(30, 1, 365),
    LOGIN_RATE_LIMIT_PER_MINUTE: wholeNumber(10, 1, 100_000),
    LOGIN_ADDRESS_RATE_LIMIT_PER_MINUTE: wholeNumber(30, 1, 100_000),
    COMMISSIONING_RATE_LIMIT_PER_MINUTE: wholeNumber(20, 1, 1_000_000),
    ADMIN_EMAIL: optionalString.pipe(z.email('must be an e-mail address').optional()),
    ADMIN_PASSWORD: z
      .string()
      .optional()
      .transform((v) => (v === undefined || v === '' ? undefined : v)),
    SITE_OFFLINE_AFTER_MINUTES: wholeNumber(10, 1, 10_080),
    OUTAGE_GAP_SECONDS: wholeNumber(150, 1, 604_800),
    BACKLOG_DEGRADED_MINUTES: wholeNumber(15, 1, 10_080),
    CLOCK_SKEW_DEGRADED_SECONDS: wholeNumber(60, 1, 86_400),
    KEY_ROTATION_GRACE_HOURS: wholeNumber(24, 0, 8760),
    READINGS_MAX_ROWS: wholeNumber(10_000, 10, 1_000_000),
    WEB_DIST_DIR: optionalString,
    ...ALERT_ENV,
    MCP_ENABLED: z
      .enum(['true', 'false', '1', '0', ''])
      .optional()
      .transform((v) => v === undefined || v === '' || v === 'true' || v === '1'),
    MCP_ALLOWED_ORIGINS: optionalString.pipe(
      z
        .string()
        .regex(
          /^https?:\/\/[^\s,/]+(\s*,\s*https?:\/\/[^\s,/]+)*$/,
          'must be a comma-separated list of origins such as https://ops.example.com',
        )
        .optional(),
    ),
    MCP_TOKEN_MAX_DAYS: wholeNumber(365, 1, 3650),
    TLS_CERT_FILE: optionalString,
    TLS_KEY_FILE: optionalString,
    READINGS_PARTITIONS_AHEAD_MONTHS: wholeNumber(3, 1, 24),
    HEARTBEAT_RETENTION_DAYS: wholeNumber(30, 2, 3650),
    SYNC_BATCH_RETENTION_DAYS: wholeNumber(90, 2, 3650),
    MCP_AUDIT_RETENTION_DAYS: wholeNumber(365, 1, 3650),
    METRICS_TOKEN: optionalString.pipe(
      z
        .string()
        .min(16, 'must be at least 16 characters (openssl rand -base64 32)')
        .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
        .optional(),
    ),
    ENERGY_ROLLUPS_ENABLED: z
      .enum(['true', 'false', '1', '0', ''])
      .optional()
      .transform((v) => v === undefined || v === '' || v === 'true' || v === '1'),
    ENERGY_ROLLUP_INTERVAL_SECONDS: wholeNumber(5, 1, 3600),
    ENERGY_ROLLUP_RETENTION_MONTHS: optionalMonths('keep every rollup'),
    READINGS_RETENTION_MONTHS: optionalMonths('keep everything'),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production') {
      if (!env.JWT_SECRET) {
        ctx.addIssue({
          code: 'custom',
          path: ['JWT_SECRET'],
          message: 'required in production (at least 32 characters)',
        });
      } else if (env.JWT_SECRET.length < 32) {
        ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'must be at least 32 characters in production' });
      } else if (KNOWN_WEAK_SECRETS.has(env.JWT_SECRET.toLowerCase()) || new Set(env.JWT_SECRET).size < 8) {
        ctx.addIssue({
          code: 'custom',
          path: ['JWT_SECRET'],
          message: 'is a default or low-entropy value; generate one with `openssl rand -base64 48`',
        });
      }
    }
    if (env.NODE_ENV === 'production' && !env.METRICS_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['METRICS_TOKEN'],
        message:
          'required in production: /metrics names every site, so a Prometheus scrape must send it as a bearer token (openssl rand -base64 32)',
      });
    }
    if (env.ADMIN_PASSWORD !== undefined && env.ADMIN_PASSWORD.length < 12) {
      ctx.addIssue({ code: 'custom', path: ['ADMIN_PASSWORD'], message: 'must be at least 12 characters' });
    }
    if (env.ADMIN_PASSWORD !== undefined && !env.ADMIN_EMAIL) {
      ctx.addIssue({ code: 'custom', path: ['ADMIN_EMAIL'], message: 'required when ADMIN_PASSWORD is set' });
    }
    if (Boolean(env.TLS_CERT_FILE) !== Boolean(env.TLS_KEY_FILE)) {
      const missing = env.TLS_CERT_FILE ? 'TLS_KEY_FILE' : 'TLS_CERT_FILE';
      ctx.addIssue({
        code: 'custom',
        path: [missing],
        message: `required when ${missing === 'TLS_KEY_FILE' ? 'TLS_CERT_FILE' : 'TLS_KEY_FILE'} is set: HTTPS needs both the certificate (PEM) and its private key (PEM); set neither for plain HTTP behind a TLS proxy`,
      });
    }
    for (const key of ['TLS_CERT_FILE', 'TLS_KEY_FILE'] as const) {
      const file = env[key];
      if (!file) continue;
      const problem = unreadablePem(file);
      if (problem) ctx.addIssue({ code: 'custom', path: [key], message: problem });
    }
    if (env.POSTGRES_HOST && env.DATABASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_URL'],
        message: 'set either DATABASE_URL or POSTGRES_HOST, not both',
      });
    }
  });

/** Why a TLS file cannot be used, or undefined when it reads as PEM. */
function unreadablePem(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return `cannot read ${path.resolve(file)} (${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied for this user' : code === 'EISDIR' ? 'it is a folder' : (err as Error).message})`;
  }
  return /-----BEGIN [A-Z ]+-----/.test(text)
    ? undefined
    : `${path.resolve(file)} is not a PEM file (no "-----BEGIN …-----" line)`;
}

/** The checked environment as the typed, camelCase configuration the API runs with. */
function toConfig(e: z.output<typeof envSchema>) {
  let database: DatabaseConfig;
  if (e.DATABASE_URL) {
    database = { kind: 'url', url: e.DATABASE_URL };
  } else if (e.POSTGRES_HOST) {
    database = {
      kind: 'connection',
      host: e.POSTGRES_HOST,
      port: e.POSTGRES_PORT,
      database: e.POSTGRES_DB ?? 'meterit_client',
      user: e.POSTGRES_USER ?? 'postgres',
      password: e.POSTGRES_PASSWORD ?? '',
    };
  } else {
    database = {
      kind: 'embedded',
      dataDir: path.resolve(e.CLIENT_DATA_DIR ?? path.join(REPO_ROOT, '.data', 'client')),
      port: e.EMBEDDED_PG_PORT,
      database: e.POSTGRES_DB ?? 'meterit_client',
    };
  }
  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    // Loopback in development so a laptop does not expose the API; all interfaces in production (containers).
    host: e.HOST ?? (e.NODE_ENV === 'production' ? '0.0.0.0' : '127.0.0.1'),
    database,
    // Outside production a per-process random secret: tokens simply stop working after a restart.
    jwtSecret: e.JWT_SECRET ?? randomBytes(48).toString('base64url'),
    /** Requests per minute per site on /api/sync/*. */
    syncRateLimitPerMinute: e.SYNC_RATE_LIMIT_PER_MINUTE,
    /** Commissioning report uploads per minute per site (POST /api/sync/commissioning, counted apart from the other sync requests). */
    commissioningRateLimitPerMinute: e.COMMISSIONING_RATE_LIMIT_PER_MINUTE,
    /** Largest accepted request body after gzip decoding, in bytes or with a unit ('10mb'). */
    bodyLimit: e.BODY_LIMIT,
    logLevel: e.LOG_LEVEL,
    logFile: e.LOG_FILE,
    trustProxy: e.TRUST_PROXY,
    /** Lifetime of an operator's access token (JWT), seconds. */
    accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
    /** Lifetime of a refresh token, seconds; each use rotates it. */
    refreshTokenTtlSeconds: e.REFRESH_TOKEN_TTL_DAYS * 86_400,
    /** Failed logins per minute per client address and e-mail before 429. */
    loginRateLimitPerMinute: e.LOGIN_RATE_LIMIT_PER_MINUTE,
    /** Failed logins per minute per client address, whatever the e-mail (password spraying), before 429. */
    loginAddressRateLimitPerMinute: e.LOGIN_ADDRESS_RATE_LIMIT_PER_MINUTE,
    /** The first admin, created on first start when there is no user yet. */
    adminEmail: e.ADMIN_EMAIL,
    adminPassword: e.ADMIN_PASSWORD,
    // Only in development: the demo shows it; in production the one log line is all there is.
    /** Where the generated first admin's password is written (0600) outside production; undefined = not written. */
    initialAdminFile:
      e.NODE_ENV !== 'development'
        ? undefined
        : path.join(path.resolve(e.CLIENT_DATA_DIR ?? path.join(REPO_ROOT, '.data', 'client')), 'initial-admin.json'),
    /** A site without a heartbeat for this long is offline. */
    siteOfflineAfterMinutes: e.SITE_OFFLINE_AFTER_MINUTES,
    /** A heartbeat gap longer than this is an outage in the connectivity history (well below the offline threshold). */
    outageGapSeconds: e.OUTAGE_GAP_SECONDS,
    /** The backlog's oldest unsent reading older than this makes a site degraded. */
    backlogDegradedMinutes: e.BACKLOG_DEGRADED_MINUTES,
    /** |agent clock − server clock| above this makes a site degraded. */
    clockSkewDegradedSeconds: e.CLOCK_SKEW_DEGRADED_SECONDS,
    /** Old API keys keep working this long after a rotation. */
    keyRotationGraceHours: e.KEY_ROTATION_GRACE_HOURS,
    /** Most rows one /api/readings answer carries (JSON); CSV exports may carry 10×. */
    readingsMaxRows: e.READINGS_MAX_ROWS,
    /** The built web app served on the same port; undefined or missing folder = API only. */
    webDistDir: path.resolve(e.WEB_DIST_DIR ?? path.join(REPO_ROOT, 'client', 'web', 'dist')),
    /** The alert engine and notifications (ALERT_*, SMTP_URL, PUBLIC_URL). */
    alerts: alertsConfigFromEnv(e, e.PORT),
    /** Serve the MCP server at /mcp (Streamable HTTP) on the API's port. */
    mcpEnabled: e.MCP_ENABLED,
    /** Web origins (besides the API's own) whose pages may call /mcp; requests without Origin (assistants) always may. */
    mcpAllowedOrigins: e.MCP_ALLOWED_ORIGINS ? e.MCP_ALLOWED_ORIGINS.split(',').map((o) => o.trim()) : [],
    /** Longest lifetime of a personal MCP token, days. */
    mcpTokenMaxDays: e.MCP_TOKEN_MAX_DAYS,
    /** Serve HTTPS with this certificate chain and private key (PEM files); undefined = plain HTTP (e.g. behind a TLS proxy). */
    tls:
      e.TLS_CERT_FILE && e.TLS_KEY_FILE
        ? { certFile: path.resolve(e.TLS_CERT_FILE), keyFile: path.resolve(e.TLS_KEY_FILE) }
        : undefined,
    /** Monthly partitions of meter_readings kept ready beyond the current month. */
    readingsPartitionsAheadMonths: e.READINGS_PARTITIONS_AHEAD_MONTHS,
    /** Drop readings older than this many whole months before the current one; undefined = keep everything (default). */
    readingsRetentionMonths: e.READINGS_RETENTION_MONTHS,
    /** The energy rollups (components/energy): kept or not, the worker's pause between passes, their retention. */
    energyRollups: {
      enabled: e.ENERGY_ROLLUPS_ENABLED,
      intervalMs: e.ENERGY_ROLLUP_INTERVAL_SECONDS * 1000,
      /** Delete rollups older than this many whole months before the current one; undefined = keep them all. */
      retentionMonths: e.ENERGY_ROLLUP_RETENTION_MONTHS,
    },
    /** The bearer token a Prometheus scrape of GET /metrics must send; undefined = /metrics is open (not in production). */
    metricsToken: e.METRICS_TOKEN,
    /** Days kept of heartbeats, upload records (sync_batches) and the MCP audit log. */
    logRetention: {
      heartbeatsDays: e.HEARTBEAT_RETENTION_DAYS,
      syncBatchesDays: e.SYNC_BATCH_RETENTION_DAYS,
      mcpAuditDays: e.MCP_AUDIT_RETENTION_DAYS,
    },
  };
}

/**
 * The configuration, defined once: the environment's keys checked (every bad key listed at once), then turned
 * into the typed, camelCase ClientApiConfig. Each key is documented in client/api/.env.example.
 */
export const clientApiConfigSchema = envSchema.transform(toConfig);
export type ClientApiConfig = z.output<typeof clientApiConfigSchema>;

/** Read and validate the environment; throws ConfigError listing every bad key at once. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ClientApiConfig {
  return parseConfig(clientApiConfigSchema, env);
}

/** Where the database lives, for logs (never the password). */
export function describeDatabase(db: DatabaseConfig): string {
  switch (db.kind) {
    case 'url': {
      const u = new URL(db.url);
      return `postgresql://${u.hostname}:${u.port || 5432}${u.pathname}`;
    }
    case 'connection':
      return `postgresql://${db.host}:${db.port}/${db.database}`;
    case 'embedded':
      return `embedded PostgreSQL in ${db.dataDir} on port ${db.port}, database ${db.database}`;
  }
}

/** LOG_FILE as the shared logger's rotated-file options: <dir>/<name>-YYYY-MM-DD.log. */
export function logFileOptions(logFile: string | undefined): { dir?: string; files?: { name: string }[] } {
  if (!logFile) return {};
  return { dir: path.dirname(path.resolve(logFile)), files: [{ name: path.basename(logFile).replace(/\.log$/, '') }] };
}
