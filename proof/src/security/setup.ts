import { randomBytes } from 'node:crypto';
import { createTestDatabase, startTestPostgres, type TestPostgres } from '@meterit/shared/testing';
import { alive, createSite, startClientSystem, type ClientSystem } from '../harness/processes.js';
import type { Ctx } from './endpoints.js';
import type { Creds } from './hostile.js';

export interface SecurityTarget {
  pg: TestPostgres;
  client: ClientSystem;
  ctx: Ctx;
  creds: Creds;
  alive(): boolean;
  close(): Promise<void>;
}

/** A real client API process on its own database, two sites with meters and readings, and an operator login when the build has one. */
export async function startSecurityTarget(): Promise<SecurityTarget> {
  const pg = await startTestPostgres();
  try {
    const url = await createTestDatabase(pg, 'proof_security');
    const jwtSecret = randomBytes(32).toString('hex');
    const login = { email: 'admin@proof.example', password: `Pw-${randomBytes(12).toString('base64url')}` };
    const client = await startClientSystem(url, {
      env: { JWT_SECRET: jwtSecret, ADMIN_EMAIL: login.email, ADMIN_PASSWORD: login.password, LOGIN_RATE_LIMIT_PER_MINUTE: '100000', LOG_LEVEL: 'warn' },
    });
    const tag = randomBytes(4).toString('hex');
    const a = await createSite(url, `Site A ${tag}`);
    const b = await createSite(url, `Site B ${tag}`);
    const meterIds = (site: string) => [0, 1, 2].map((i) => `${site}-${tag}-meter-${i}`);
    const ctx: Ctx = {
      siteA: { id: a.site_id, key: a.api_key, meterIds: meterIds('secA') },
      siteB: { id: b.site_id, key: b.api_key, meterIds: meterIds('secB') },
      now: () => new Date().toISOString(),
      login,
    };
    for (const [site, key] of [
      [ctx.siteA, a.api_key],
      [ctx.siteB, b.api_key],
    ] as const) {
      const meters = site.meterIds.map((id, i) => ({
        id,
        name: `Meter ${id}`,
        bacnet_device_id: 100 + i,
        bacnet_ip: '192.168.1.10',
        data_points: [{ object_type: 'analogInput', instance: 0, property: 'presentValue', name: 'total_kwh' }],
      }));
      const headers = { 'x-api-key': key, 'content-type': 'application/json' };
      const reg = await fetch(`${client.url}/api/sync/meters`, { method: 'POST', headers, body: JSON.stringify({ meters }) });
      if (!reg.ok) throw new Error(`register meters: ${reg.status} ${await reg.text()}`);
      const readings = site.meterIds.map((id, i) => ({ meter_external_id: id, data_point: 'total_kwh', timestamp: new Date(Date.now() - 60_000 * (i + 1)).toISOString(), value: 10 + i, unit: 'kWh', quality: 'good' }));
      const batch = await fetch(`${client.url}/api/sync/readings/batch`, { method: 'POST', headers, body: JSON.stringify({ readings }) });
      if (!batch.ok) throw new Error(`seed readings: ${batch.status} ${await batch.text()}`);
    }
    let bearer: string | undefined;
    const res = await fetch(`${client.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(login) }).catch(() => null);
    if (res?.ok) {
      const body = (await res.json()) as Record<string, unknown>;
      const token = body.access_token ?? body.accessToken ?? body.token;
      if (typeof token === 'string') bearer = token;
    }
    const creds: Creds = { siteKey: (w) => (w === 'A' ? a.api_key : b.api_key), jwtSecret, ...(bearer ? { bearer } : {}) };
    return {
      pg,
      client,
      ctx,
      creds,
      alive: () => alive(client.proc),
      async close() {
        await client.stop();
        await client.db.destroy();
        await pg.stop();
      },
    };
  } catch (err) {
    await pg.stop();
    throw err;
  }
}
