import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parseConfig } from '@meterit/shared/node';

// src/config.ts and dist/config.js sit at the same depth: <repo>/client/api/{src,dist}/config.*
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Secrets that ship in examples and must never run in production. */
const KNOWN_WEAK_SECRETS = new Set(['secret', 'changeme', 'change-me', 'jwt_secret', '<secret>', 'development']);

export type DatabaseConfig =
  | { kind: 'url'; url: string }
  | { kind: 'connection'; host: string; port: number; database: string; user: string; password: string }
  | { kind: 'embedded'; dataDir: string; port: number; database: string };

export interface ClientApiConfig {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  host: string;
  database: DatabaseConfig;
  jwtSecret: string;
  /** Requests per minute per site on /api/sync/*. */
  syncRateLimitPerMinute: number;
  /** Largest accepted request body after gzip decoding, in bytes or with a unit ('10mb'). */
  bodyLimit: string;
  logLevel: string;
  logFile: string | undefined;
  trustProxy: boolean;
}

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
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production') {
      if (!env.JWT_SECRET) {
        ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'required in production (at least 32 characters)' });
      } else if (env.JWT_SECRET.length < 32) {
        ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'must be at least 32 characters in production' });
      } else if (KNOWN_WEAK_SECRETS.has(env.JWT_SECRET.toLowerCase()) || new Set(env.JWT_SECRET).size < 8) {
        ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'is a default or low-entropy value; generate one with `openssl rand -base64 48`' });
      }
    }
    if (env.POSTGRES_HOST && env.DATABASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'set either DATABASE_URL or POSTGRES_HOST, not both' });
    }
  });

/** Read and validate the environment; throws ConfigError listing every bad key at once. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ClientApiConfig {
  const e = parseConfig(envSchema, env);
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
    syncRateLimitPerMinute: e.SYNC_RATE_LIMIT_PER_MINUTE,
    bodyLimit: e.BODY_LIMIT,
    logLevel: e.LOG_LEVEL,
    logFile: e.LOG_FILE,
    trustProxy: e.TRUST_PROXY,
  };
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
