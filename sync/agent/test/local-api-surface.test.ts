import { randomBytes } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '@meterit/shared/testing';
import type { MeterConfig } from '@meterit/shared';
import { startSimulator, toMetersJson, type Simulator } from '@meterit/simulator';
import type { StatusResponse } from '@meterit/shared/site-contracts';
import { localApi, startAgentProcess, waitUntil, type AgentProcess } from './helpers/system.js';

// What the local API shows and to whom: the Host guard against DNS rebinding, and the storage
// figure (hours of outage) against the queue limit and a purge. The real agent process, the
// simulator over real UDP, a real PostgreSQL; no client system (the uplink stays down, so the
// backlog grows as in an outage). Loopback range 127.0.41.x (.2 and .21–.23) belongs to this file.
const NET = '127.0.41';
const VIEWER = `view-${randomBytes(16).toString('hex')}`;
const DEVICES = [41201, 41202, 41203] as const;
const ALLOWED = 'meters-pc.site.test';
/** 3 meters × 4 points every second. */
const PER_HOUR = 3 * 4 * 3600;
const QUEUE_MAX = 200_000;

let agent: AgentProcess;
let sim: Simulator;
let port: number;

/** A raw HTTP request with the Host header as given (fetch would not let a test set it). */
function raw(
  path: string,
  host: string,
  opts: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: opts.method ?? 'GET',
        agent: false,
        headers: { host, accept: 'application/json, text/event-stream', ...opts.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const status = async () => (await localApi<StatusResponse>(agent, 'GET', '/api/status')).body;

beforeAll(async () => {
  const siteDb = await createTestDatabase(inject('pg'), 'local_api_surface_site');
  sim = await startSimulator({
    meters: DEVICES.map((deviceId, i) => ({
      deviceId,
      name: `Surface meter ${i}`,
      address: `${NET}.${21 + i}`,
      port: 47808,
    })),
    listenBroadcast: false,
    seed: 412,
  });
  agent = await startAgentProcess({
    clientUrl: 'http://127.0.0.1:9',
    apiKey: `k-${randomBytes(16).toString('hex')}`,
    databaseUrl: siteDb,
    meters: toMetersJson(sim.meters).meters as MeterConfig[],
    bacnetInterface: `${NET}.2`,
    env: {
      LOCAL_API_VIEWER_TOKEN: VIEWER,
      LOCAL_API_ALLOWED_HOSTS: ALLOWED,
      QUEUE_MAX_READINGS: String(QUEUE_MAX),
      SYNC_INTERVAL_MINUTES: '30',
      MAX_RETRIES: '0',
    },
  });
  port = Number(new URL(agent.localApiUrl).port);
});

afterAll(async () => {
  await agent?.stop();
  await sim?.stop();
  await agent?.db.destroy();
});

describe('local API: only by its own names (DNS rebinding)', () => {
  const initialize = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'rebind', version: '1' } },
  });

  it('when a request names a foreign host (a rebound DNS name), then every route answers 421 with what to do, and shows nothing of the site', async () => {
    await waitUntil('the meters to be read', async () => (await status()).meters.ok === 3, 30_000);
    const routes: Array<[string, Parameters<typeof raw>[2]]> = [
      ['/api/status', {}],
      ['/api/meters', {}],
      ['/api/readings', {}],
      ['/api/sync-log', {}],
      ['/api/dead-letters', {}],
      ['/api/session', {}],
      ['/health', {}],
      ['/ready', {}],
      ['/metrics', {}],
      ['/', {}],
      ['/index.html', {}],
      [
        '/mcp',
        {
          method: 'POST',
          body: initialize,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${VIEWER}` },
        },
      ],
    ];
    for (const host of [
      'evil.example',
      `evil.example:${port}`,
      `${ALLOWED}.evil.example`,
      'localhost.evil.example',
      '127.0.0.1.evil.example',
    ]) {
      for (const [path, opts] of routes) {
        const r = await raw(path, host, opts);
        expect(r.status, `${host} ${path}`).toBe(421);
        const body = JSON.parse(r.text) as { error: { code: string; message: string } };
        expect(body.error.message, `${host} ${path}`).toMatch(
          /does not answer to the host name .*LOCAL_API_ALLOWED_HOSTS/,
        );
        expect(r.text).not.toContain('Surface meter');
        expect(r.text).not.toContain('serverInfo');
      }
    }
  });

  it('when a request names the agent by loopback, its hostname, an interface address or LOCAL_API_ALLOWED_HOSTS, then it is answered', async () => {
    const own = Object.values(os.networkInterfaces())
      .flat()
      .filter((i) => i !== undefined && i.family === 'IPv4' && !i.internal)
      .map((i) => i!.address);
    const hosts = [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      'LOCALHOST',
      `[::1]:${port}`,
      `${NET}.2`,
      os.hostname(),
      `${os.hostname()}:${port}`,
      ALLOWED,
      `${ALLOWED.toUpperCase()}:${port}`,
      `${ALLOWED}.`,
      ...own,
    ];
    for (const host of hosts) {
      const r = await raw('/api/status', host);
      expect(r.status, host).toBe(200);
      expect((JSON.parse(r.text) as StatusResponse).meters.configured).toBe(3);
    }
    const dashboard = await raw('/', `localhost:${port}`);
    expect(dashboard.status).toBe(200);
    const mcp = await raw('/mcp', `127.0.0.1:${port}`, {
      method: 'POST',
      body: initialize,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${VIEWER}` },
    });
    expect(mcp.status).toBe(200);
    expect(mcp.text).toContain('meterit-site');
  });
});

describe('local API: hours of outage the site holds', () => {
  it("when QUEUE_MAX_READINGS holds less than the disk, then the figure is the queue limit's, and the answer says so", async () => {
    const s = await waitUntil(
      'a backlog to build up',
      async () => {
        const x = await status();
        return x.backlog.count > 0 ? x : null;
      },
      30_000,
    );
    const st = s.storage;
    expect(st.readings_per_hour).toBe(PER_HOUR);
    expect(st.bound).toBe('queue_limit');
    expect(st.queue_max_readings).toBe(QUEUE_MAX);
    // The disk of a test machine holds thousands of hours at this rate; the queue limit about 4.6 h.
    expect(st.disk_hours).toBeGreaterThan(100);
    expect(st.queue_limit_hours).toBeGreaterThan(3);
    expect(st.queue_limit_hours).toBeLessThanOrEqual(QUEUE_MAX / PER_HOUR);
    expect(st.outage_hours).toBe(st.queue_limit_hours);
    // The estimate is up to 30 s old: its backlog lies between none and now's.
    expect(st.outage_hours!).toBeGreaterThanOrEqual(Math.floor(((QUEUE_MAX - s.backlog.count) / PER_HOUR) * 10) / 10);
    expect(st.basis).toMatch(
      /^queue limit: the queue limit lets in [\d,]+ more readings \(QUEUE_MAX_READINGS 200,000 − [\d,]+ unsent\)/,
    );
    expect(st.basis).toMatch(/the disk would hold more/);
    const finding = s.health.findings.find((f) => f.code === 'QUEUE_LIMIT_LOW');
    expect(finding?.message).toMatch(/queue's limit \(QUEUE_MAX_READINGS 200000\) holds only about [\d.]+ hours/);
    expect(s.health.findings.map((f) => f.code)).not.toContain('DISK_LOW');
  });

  it('when most stored readings are purged, then the disk figure stays where it was instead of jumping', async () => {
    // A limit the disk bounds, then a day of synced history (as the retention keeps it).
    agent.env.QUEUE_MAX_READINGS = '2000000000';
    await agent.stop();
    await agent.restart();
    await agent.db.raw(
      `INSERT INTO meter_readings (meter_external_id, data_point, ts, value, unit, quality, synced_at)
       SELECT 'history', 'p' || (g % 4), now() - interval '23 hours' + g * interval '10 ms', g, 'kWh', 'good', now() FROM generate_series(1, 30000) g`,
    );
    const before = (await status()).storage;
    expect(before.bound).toBe('disk');
    expect(before.bytes_per_reading_measured).toBe(true);
    expect(before.outage_hours).toBe(before.disk_hours);

    // The retention purge removes 95 % of the rows; PostgreSQL keeps (and reuses) their space.
    await agent.db('meter_readings').where('meter_external_id', 'history').andWhere('value', '>', 1500).delete();
    // The estimate is cached for 30 s: wait for a fresh one.
    await new Promise((r) => setTimeout(r, 31_000));
    const after = (await status()).storage;
    expect(after.bound).toBe('disk');
    expect(after.bytes_per_reading_measured).toBe(true);
    expect(Math.abs(after.bytes_per_reading - before.bytes_per_reading) / before.bytes_per_reading).toBeLessThan(0.05);
    expect(Math.abs(after.outage_hours! - before.outage_hours!) / before.outage_hours!).toBeLessThan(0.1);
    expect(after.basis).toMatch(
      /^disk space: .* free on the disk of .* readings per hour × \d+ bytes per reading \(measured over up to \d+ stored readings, smoothed over an hour\)/,
    );
  });
});
