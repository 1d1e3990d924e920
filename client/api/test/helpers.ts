import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import { inject } from 'vitest';
import { API_KEY_HEADER, type MeterConfig, type SyncReading } from '@meterit/shared';
import { createLogger } from '@meterit/shared/node';
import {
  defaultAlertsConfig,
  ManualClock,
  startClientApi,
  type RunningClientApi,
  type StartOptions,
} from '../src/index.js';
import type { ClientApiConfig } from '../src/config.js';
import { SitesService } from '../src/components/sites/sites-service.js';

/** A fresh database on the run's PostgreSQL, so test files never see each other's rows. */
export async function createTestDatabase(): Promise<ClientApiConfig['database']> {
  const conn = inject('pg');
  const database = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ ...conn, database: 'postgres' });
  await client.connect();
  await client.query(`CREATE DATABASE ${database}`);
  await client.end();
  return { kind: 'connection', ...conn, database };
}

/** A real listening server on a free loopback port with its own database. */
export async function startTestApi(
  overrides: Partial<ClientApiConfig> = {},
  opts: Pick<StartOptions, 'alertClock' | 'rollupClock' | 'housekeepingNow'> = {},
): Promise<RunningClientApi> {
  return startClientApi(
    { port: 0, host: '127.0.0.1', database: await createTestDatabase(), ...overrides },
    { env: { NODE_ENV: 'test' }, logger: createLogger({ service: 'client-api-test', silent: true }), ...opts },
  );
}

/**
 * A test API whose alert engine runs on a manual clock: the test advances `clock` and calls
 * `api.alerts.engine.tick()`. By default e-mails are recorded for ops@example.test with links to http://meterit.test.
 */
export async function startClockedApi(
  alerts: Parameters<typeof defaultAlertsConfig>[0] = {
    publicUrl: 'http://meterit.test',
    emailTo: ['ops@example.test'],
  },
): Promise<{ api: RunningClientApi; clock: ManualClock }> {
  const clock = new ManualClock(Date.now());
  const api = await startTestApi({ alerts: defaultAlertsConfig(alerts) }, { alertClock: clock });
  return { api, clock };
}

export interface TestSite {
  id: number;
  name: string;
  key: string;
}

export async function createSite(api: RunningClientApi, name: string): Promise<TestSite> {
  const created = await new SitesService(api.db.knex).createSiteWithKey(name);
  return { id: created.site_id, name: created.site_name, key: created.api_key };
}

export function meter(id: string, extra: Partial<MeterConfig> = {}): MeterConfig {
  return {
    id,
    name: `Meter ${id}`,
    bacnet_device_id: 1000 + id.length,
    bacnet_ip: '127.0.0.1',
    bacnet_port: 47808,
    data_points: [
      { object_type: 'analogInput', instance: 0, property: 'presentValue', name: 'total_kwh', unit: 'kWh' },
      { object_type: 'analogInput', instance: 1, property: 'presentValue', name: 'current_kw', unit: 'kW' },
    ],
    ...extra,
  };
}

export function reading(extra: Partial<SyncReading> = {}): SyncReading {
  return {
    meter_external_id: 'meter-001',
    data_point: 'total_kwh',
    timestamp: '2025-06-01T12:00:00.000Z',
    value: 1234.5,
    unit: 'kWh',
    quality: 'good',
    ...extra,
  };
}

export interface CallOptions {
  key?: string | undefined;
  body?: unknown;
  /** Send this text as the body instead of JSON.stringify(body). */
  rawBody?: string | Buffer;
  gzip?: boolean;
  headers?: Record<string, string>;
}

export interface CallResult {
  status: number;
  headers: Headers;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- responses are asserted field by field
}

/** Real HTTP against the listening server (in this process or an API process: only its URL is used). */
export async function call(
  api: Pick<RunningClientApi, 'url'>,
  method: string,
  path: string,
  opts: CallOptions = {},
): Promise<CallResult> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.key !== undefined) headers[API_KEY_HEADER] = opts.key;
  let body: Buffer | string | undefined;
  if (opts.rawBody !== undefined || opts.body !== undefined) {
    body = opts.rawBody ?? JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
    if (opts.gzip) {
      body = gzipSync(body);
      headers['content-encoding'] = 'gzip';
    }
  }
  const res = await fetch(`${api.url}${path}`, { method, headers, body });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = { unparsable: text };
  }
  return { status: res.status, headers: res.headers, json };
}

export async function countReadings(api: RunningClientApi, siteId?: number): Promise<number> {
  const { rows } = await api.db.knex.raw<{ rows: { n: number }[] }>(
    siteId === undefined
      ? 'SELECT count(*)::int AS n FROM meter_readings'
      : 'SELECT count(*)::int AS n FROM meter_readings WHERE site_id = ?',
    siteId === undefined ? [] : [siteId],
  );
  return rows[0]?.n ?? -1;
}
