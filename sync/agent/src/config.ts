import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parseConfig } from '@meterit/shared/node';
import { BBMD_TTL_SECONDS, parseBbmdAddress } from './meters/bacnet/foreign-device.js';
import type { LocalApiSettings } from './local-api/settings.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const positive = (def: number) => z.coerce.number().positive().default(def);
const port = (def: number) => z.coerce.number().int().min(1).max(65535).default(def);

// Placeholders people copy from examples; the control token must be chosen at install.
const WEAK_TOKENS = new Set([
  'changeme1234',
  'change-me-please',
  'password1234',
  '123456789012',
  'meterit-token',
  'localapitoken',
]);

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
    AGENT_VERSION: z.string().default('0.1.0'),

    CLIENT_API_URL: z.string().url({ message: 'must be a URL such as https://client.example.com/api' }),
    CLIENT_API_KEY: z.string().min(16, 'must be the site API key given when the site was created'),
    ALLOW_INSECURE_HTTP: bool.default(false),
    HTTP_TIMEOUT_SECONDS: positive(30),

    SYNC_INTERVAL_MINUTES: positive(5),
    BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(1000),
    SYNC_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(8).default(3),
    MAX_RETRIES: z.coerce.number().int().min(0).max(100).default(5),
    BACKOFF_BASE_SECONDS: positive(2),
    BACKOFF_CAP_SECONDS: positive(300),
    HEARTBEAT_INTERVAL_SECONDS: positive(60),
    CONFIG_REFRESH_MINUTES: positive(5),
    SYNCED_RETENTION_HOURS: z.coerce.number().min(0).default(24),
    SYNC_LOG_RETENTION_DAYS: z.coerce.number().min(1).default(30),
    QUEUE_MAX_READINGS: z.coerce.number().int().min(1000).default(5_000_000),
    QUEUE_FULL_POLICY: z.enum(['drop-oldest', 'stop-collecting']).default('drop-oldest'),
    LOG_DIR: z.string().optional(),

    COLLECTION_INTERVAL_SECONDS: positive(60),
    METERS_FILE: z.string().default(path.join(repoRoot, 'sync/agent/config/meters.json')),
    BACNET_INTERFACE: z.string().default('0.0.0.0'),
    BACNET_PORT: port(47808),
    BACNET_BROADCAST_ADDRESS: z.string().default('255.255.255.255'),
    /** Bound to one address: also listen on the broadcast address, so broadcast I-Am answers are seen. */
    BACNET_LISTEN_BROADCAST: bool.default(true),
    BACNET_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(3000),
    /** How often the agent confirms that each meter's configured device instance answers at its address (also on first contact and after every silence). */
    BACNET_IDENTITY_CHECK_MINUTES: z.coerce.number().int().min(1).max(10_080).default(60),
    /** How often the units of every point are read again (also after every silence). */
    BACNET_UNITS_REFRESH_MINUTES: z.coerce.number().int().min(1).max(10_080).default(60),
    /** Meters on another subnet: register as a foreign device with this BBMD and discover through it. */
    BACNET_BBMD_ADDRESS: z
      .string()
      .transform((v, ctx) => {
        try {
          return parseBbmdAddress(v);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: (err as Error).message });
          return z.NEVER;
        }
      })
      .optional(),
    BACNET_BBMD_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(BBMD_TTL_SECONDS.min, `must be at least ${BBMD_TTL_SECONDS.min} seconds`)
      .max(BBMD_TTL_SECONDS.max, `must be at most ${BBMD_TTL_SECONDS.max} seconds (BACnet carries it in 16 bits)`)
      .default(BBMD_TTL_SECONDS.default),

    LOCAL_DATABASE_URL: z.string().optional(),
    LOCAL_POSTGRES_HOST: z.string().optional(),
    LOCAL_POSTGRES_PORT: port(5432),
    LOCAL_POSTGRES_DB: z.string().default('meterit_sync'),
    LOCAL_POSTGRES_USER: z.string().default('postgres'),
    LOCAL_POSTGRES_PASSWORD: z.string().optional(),
    SYNC_DATA_DIR: z.string().default(path.join(repoRoot, '.data/sync')),
    EMBEDDED_PG_PORT: port(5434),
    /** Check that the local database answers this often (a killed embedded server is noticed at once anyway). */
    LOCAL_DB_PROBE_SECONDS: positive(5),
    /** Restarts of the embedded server wait base·2^n seconds, at most the cap. */
    LOCAL_DB_RESTART_BACKOFF_BASE_SECONDS: positive(1),
    LOCAL_DB_RESTART_BACKOFF_CAP_SECONDS: positive(60),
    /** Failed restarts after which the local database is reported `down` (and the attempts go on at the cap). */
    LOCAL_DB_RESTART_ATTEMPTS_BEFORE_DOWN: z.coerce.number().int().min(1).max(1000).default(5),
    /** Readings kept in memory when neither the local database nor the spill file takes them; beyond it the oldest are dropped (counted, logged). */
    SPILL_MEMORY_MAX_READINGS: z.coerce.number().int().min(1000).default(200_000),

    LOCAL_API_PORT: z.coerce.number().int().min(0).max(65535).default(3002),
    LOCAL_API_HOST: z.string().default('0.0.0.0'),
    LOCAL_API_ALLOW_ANY: bool.default(false),
    LOCAL_API_ALLOWED_HOSTS: z
      .string()
      .default('')
      .transform((v) =>
        v
          .split(',')
          .map((h) => h.trim().toLowerCase())
          .filter((h) => h.length > 0),
      )
      .pipe(
        z.array(
          z
            .string()
            .regex(
              /^(\*|[a-z0-9._-]+|\[[0-9a-f:.]+\])$/,
              'each entry must be a host name or address without port or scheme (e.g. agent.site.lan), or * for any',
            ),
        ),
      ),
    LOCAL_API_TOKEN: z
      .string()
      .min(12, 'must be at least 12 characters (choose it at install; there is no default)')
      .optional(),
    LOCAL_API_VIEWER_TOKEN: z
      .string()
      .min(12, 'must be at least 12 characters (choose it at install; there is no default)')
      .optional(),
    LOCAL_API_SESSION_MINUTES: positive(60),
    MCP_ENABLED: bool.default(true),
    MCP_ALLOWED_ORIGINS: z
      .string()
      .default('')
      .transform((v) =>
        v
          .split(',')
          .map((o) => o.trim().replace(/\/+$/, ''))
          .filter((o) => o.length > 0),
      )
      .pipe(z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'each origin must look like http://host:port (no path)'))),
    MCP_DISCOVERIES_PER_HOUR: z.coerce.number().int().min(1).max(10_000).default(20),
    MCP_AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
    LOCAL_DASHBOARD_DIR: z.string().default(path.join(repoRoot, 'sync/web/dist')),
    METER_SLOW_MS: z.coerce.number().int().min(1).default(1000),
  })
  .superRefine((c, ctx) => {
    const url = URL.canParse(c.CLIENT_API_URL) ? new URL(c.CLIENT_API_URL) : null;
    if (url && url.protocol === 'http:' && !isLoopback(url.hostname) && !c.ALLOW_INSECURE_HTTP) {
      ctx.addIssue({
        code: 'custom',
        path: ['CLIENT_API_URL'],
        message:
          'plain http to a non-loopback host would send the API key in clear; use https or set ALLOW_INSECURE_HTTP=true',
      });
    }
    if (c.LOCAL_API_TOKEN && WEAK_TOKENS.has(c.LOCAL_API_TOKEN.toLowerCase())) {
      ctx.addIssue({
        code: 'custom',
        path: ['LOCAL_API_TOKEN'],
        message: 'is a well-known placeholder; choose a random token at install (e.g. openssl rand -hex 16)',
      });
    }
    if (c.LOCAL_API_VIEWER_TOKEN && WEAK_TOKENS.has(c.LOCAL_API_VIEWER_TOKEN.toLowerCase())) {
      ctx.addIssue({
        code: 'custom',
        path: ['LOCAL_API_VIEWER_TOKEN'],
        message: 'is a well-known placeholder; choose a random token at install (e.g. openssl rand -hex 16)',
      });
    }
    if (c.LOCAL_API_VIEWER_TOKEN && c.LOCAL_API_VIEWER_TOKEN === c.LOCAL_API_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['LOCAL_API_VIEWER_TOKEN'],
        message: 'must differ from LOCAL_API_TOKEN, or the viewer could change things',
      });
    }
    if (c.LOCAL_POSTGRES_HOST && !c.LOCAL_POSTGRES_PASSWORD) {
      ctx.addIssue({
        code: 'custom',
        path: ['LOCAL_POSTGRES_PASSWORD'],
        message: 'required when LOCAL_POSTGRES_HOST is set',
      });
    }
  });

export type AgentConfig = z.infer<typeof schema>;

export function isLoopback(hostname: string): boolean {
  return (
    hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127\.\d+\.\d+\.\d+$/.test(hostname)
  );
}

/** Validate the agent's environment; a bad start lists every bad key at once. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AgentConfig {
  // Empty strings in .env files mean "not set".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  return parseConfig(schema, cleaned);
}

/** The API origin, whether CLIENT_API_URL was given with the design's trailing /api or without. */
export function clientOrigin(config: Pick<AgentConfig, 'CLIENT_API_URL'>): string {
  return config.CLIENT_API_URL.replace(/\/+$/, '').replace(/\/api$/, '');
}

/** The local API's settings from the validated environment (the composition root hands them over). */
export function localApiSettings(c: AgentConfig): LocalApiSettings {
  return {
    host: c.LOCAL_API_HOST,
    port: c.LOCAL_API_PORT,
    allowAny: c.LOCAL_API_ALLOW_ANY,
    allowedHosts: c.LOCAL_API_ALLOWED_HOSTS,
    dashboardDir: c.LOCAL_DASHBOARD_DIR,
    token: c.LOCAL_API_TOKEN,
    viewerToken: c.LOCAL_API_VIEWER_TOKEN,
    sessionMinutes: c.LOCAL_API_SESSION_MINUTES,
    mcpEnabled: c.MCP_ENABLED,
    mcpAllowedOrigins: c.MCP_ALLOWED_ORIGINS,
    mcpDiscoveriesPerHour: c.MCP_DISCOVERIES_PER_HOUR,
  };
}
