import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createTestDatabase,
  freePort,
  startMailReceiver,
  type MailReceiver,
  type ReceivedMail,
} from '@meterit/shared/testing';
import type { AlertInfo, HeartbeatRequest, MetersResponse } from '@meterit/shared';
import { startSimulator, toMetersJson, type Simulator } from '@meterit/simulator';
import { createSiteWithCli, runNode, startApiProcess, waitUntil, type Proc } from './helpers/processes.js';
import { as, login } from './operator-helpers.js';

// The built-in rules end to end, with every part real: the API process (its engine on a 1 s schedule and thresholds
// of seconds), a site agent process, the BACnet simulator over UDP on 127.0.13.x, and an SMTP server that counts the
// e-mails. Each scenario breaks one thing, waits for exactly one e-mail when the alert fires, repairs it and waits
// for exactly one more when it resolves.
const SECOND = 1000;
const METER_MIN = 0.25; // 15 s
const HEARTBEAT_MIN = 0.15; // 9 s
const UPLINK_MIN = 0.3; // 18 s
const BACKLOG = 120; // readings
const ADMIN = { email: 'admin@alerts-live.test', password: 'alerts-live-password-1' };
const MAIN = { deviceId: 1301, name: 'Main incomer', address: '127.0.13.10' };
const CHILLER = { deviceId: 1302, name: 'Chiller plant', address: '127.0.13.11' };

// The agent uploads every 10 s, and after a failed upload waits exactly that long again (MAX_RETRIES=0: no jittered
// quick retries), while it sends a heartbeat every second. So when the client API comes back, the agent's first
// heartbeat reaches it before the upload that drains the backlog, and reports the outage (uplink_down_since,
// oldest_unsent_at, queue_depth), as it would after a real outage of hours with a 5-minute upload interval.
// 2 meters × 4 points each second = 8 readings/s: normally at most ~11 s and ~90 readings wait on the site,
// below the uplink (18 s) and backlog (120) thresholds; an outage of 25 s or more exceeds both.
const SYNC_INTERVAL_S = 10;

let smtp: MailReceiver;
let mails: ReceivedMail[] = [];
let sim: Simulator;
let api: { url: string; proc: Proc };
let apiEnv: Record<string, string>;
let apiPort: number;
let agent: Proc;
let agentEnv: Record<string, string>;
let clientDb: string;
let siteDb: string;
let site: { site_id: number; site_name: string; api_key: string };
let token: string;
/** When the agent last logged a failed upload (its next try is SYNC_INTERVAL_S later). */
let lastSyncFailure = 0;

function startAgent(): Proc {
  const p = runNode('sync/agent/dist/main.js', agentEnv, 'agent');
  let pending = '';
  p.child.stdout?.on('data', (b: Buffer) => {
    pending += b.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    if (lines.some((l) => l.includes('"message":"sync failed"'))) lastSyncFailure = Date.now();
  });
  return p;
}

const logInAdmin = async () => (await login(api, ADMIN.email, ADMIN.password)).access_token;

async function alerts(): Promise<AlertInfo[]> {
  const res = await as(api, token, 'GET', `/api/alerts?site_id=${site.site_id}&limit=100`);
  if (res.status !== 200) throw new Error(`GET /api/alerts answered ${res.status}`);
  return (res.json as { alerts: AlertInfo[] }).alerts;
}

const metersOfSite = async () =>
  ((await as(api, token, 'GET', `/api/meters?site_id=${site.site_id}`)).json as MetersResponse).meters;

const ofKind = async (kind: string) => (await alerts()).filter((a) => a.kind === kind);
const mailsMatching = (re: RegExp) =>
  mails.filter((m) => re.test(m.subject)).map((m) => m.subject.replace(/^\[MeterIT\] (FIRING|RESOLVED): .*$/, '$1'));

async function query<T extends pg.QueryResultRow>(db: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: db });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

async function heartbeatsSince(at: Date): Promise<HeartbeatRequest[]> {
  const rows = await query<{ payload: HeartbeatRequest }>(
    clientDb,
    'SELECT payload FROM heartbeats WHERE site_id = $1 AND received_at >= $2 ORDER BY received_at',
    [site.site_id, at],
  );
  return rows.map((r) => r.payload);
}

/** Readings waiting on the site (the agent's own queue), straight from its database. */
async function siteBacklog(): Promise<number> {
  const rows = await query<{ n: number }>(
    siteDb,
    'SELECT count(*)::int AS n FROM meter_readings WHERE synced_at IS NULL',
  );
  return rows[0]?.n ?? 0;
}

/** Every meter of the site has a reading in the client system taken after `at`. */
async function everyMeterDeliveredSince(at: number): Promise<boolean> {
  const meters = await metersOfSite();
  return meters.length === 2 && meters.every((m) => m.last_reading_at !== null && Date.parse(m.last_reading_at) > at);
}

beforeAll(async () => {
  smtp = await startMailReceiver();
  mails = smtp.mails;

  const pgServer = inject('pg');
  clientDb = await createTestDatabase(pgServer, 'alerts_live_client');
  siteDb = await createTestDatabase(pgServer, 'alerts_live_site');
  apiPort = await freePort();
  apiEnv = {
    DATABASE_URL: clientDb,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: 'warn',
    SMTP_URL: smtp.url,
    ALERT_EMAIL_TO: 'ops@alerts-live.test',
    ALERT_EMAIL_FROM: 'MeterIT <alerts@alerts-live.test>',
    ALERT_EVAL_INTERVAL_SECONDS: '1',
    ALERT_METER_UNREACHABLE_MINUTES: String(METER_MIN),
    ALERT_HEARTBEAT_MISSING_MINUTES: String(HEARTBEAT_MIN),
    ALERT_UPLINK_DOWN_MINUTES: String(UPLINK_MIN),
    ALERT_BACKLOG_READINGS: String(BACKLOG),
    ALERT_RETRY_BASE_SECONDS: '0.5',
    ALERT_RETRY_CAP_SECONDS: '2',
  };
  api = await startApiProcess(apiEnv, apiPort);
  token = await logInAdmin();
  site = await createSiteWithCli(clientDb, 'Live site');

  sim = await startSimulator({
    meters: [
      { ...MAIN, port: 47808 },
      { ...CHILLER, port: 47808 },
    ],
    listenBroadcast: false,
    seed: 13,
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'meterit-alerts-live-'));
  writeFileSync(path.join(dir, 'meters.json'), JSON.stringify(toMetersJson(sim.meters), null, 2));
  agentEnv = {
    CLIENT_API_URL: `${api.url}/api`,
    CLIENT_API_KEY: site.api_key,
    LOCAL_DATABASE_URL: siteDb,
    METERS_FILE: path.join(dir, 'meters.json'),
    SYNC_DATA_DIR: dir,
    LOCAL_API_HOST: '127.0.0.1',
    LOCAL_API_PORT: '0',
    BACNET_INTERFACE: '127.0.13.1',
    BACNET_PORT: '47808',
    BACNET_BROADCAST_ADDRESS: '127.255.255.255',
    BACNET_TIMEOUT_MS: '1000',
    COLLECTION_INTERVAL_SECONDS: '1',
    HEARTBEAT_INTERVAL_SECONDS: '1',
    SYNC_INTERVAL_MINUTES: String(SYNC_INTERVAL_S / 60),
    MAX_RETRIES: '0',
    BACKOFF_BASE_SECONDS: '1',
    BACKOFF_CAP_SECONDS: String(SYNC_INTERVAL_S),
    HTTP_TIMEOUT_SECONDS: '5',
  };
  agent = startAgent();
  // Both meters deliver and the site is healthy before anything is broken.
  await waitUntil(
    'both meters to deliver readings',
    async () => {
      const meters = await metersOfSite();
      return meters.length === 2 && meters.every((m) => m.last_reading_at !== null);
    },
    60_000,
    500,
  );
}, 120_000);

afterAll(async () => {
  await agent?.stop();
  await sim?.stop();
  await api?.proc.stop();
  await smtp?.close();
});

describe('the built-in alerts against real processes', () => {
  it('when a meter stops answering, then one e-mail says it is unreachable after the threshold, and one more when it answers again', async () => {
    await sim.stopMeter(CHILLER.deviceId);
    const [fired] = await waitUntil(
      'the meter alert to fire',
      async () => {
        const list = (await ofKind('meter_unreachable')).filter((a) => a.state === 'firing');
        return list.length > 0 && list;
      },
      40_000,
      500,
    );
    expect(fired?.meter_name).toBe(CHILLER.name);
    // Not before the threshold (how soon after it depends on the load of the machine: no upper bound here).
    const firedAt = Date.parse(fired!.fired_at!);
    expect(firedAt - Date.parse(fired!.since)).toBeGreaterThanOrEqual(METER_MIN * 60_000);
    await waitUntil('the firing e-mail', async () => mailsMatching(/unreachable/).length === 1, 15_000);
    expect(mails[0]?.to).toEqual(['ops@alerts-live.test']);
    expect(mails[0]?.subject).toMatch(
      /^\[MeterIT\] FIRING: Meter "Chiller plant" at "Live site" unreachable — no reading for \d+ s$/,
    );

    await sim.startMeter(CHILLER.deviceId);
    await waitUntil(
      'the meter alert to resolve',
      async () => (await ofKind('meter_unreachable')).every((a) => a.state === 'resolved'),
      30_000,
      500,
    );
    await waitUntil('the resolved e-mail', async () => mailsMatching(/unreachable/).length === 2, 15_000);
    await new Promise((r) => setTimeout(r, 2 * SECOND)); // a later evaluation sends nothing more
    expect(mailsMatching(/unreachable/)).toEqual(['FIRING', 'RESOLVED']);
    expect((await ofKind('meter_unreachable')).map((a) => a.meter_name)).toEqual([CHILLER.name]);
    expect(mails.length, mails.map((m) => m.subject).join('\n')).toBe(2);
  }, 90_000);

  it('when the site agent stops, then the heartbeat alert fires once after the threshold, no meter is blamed, and it resolves once when the agent is back', async () => {
    await agent.stop();
    const [fired] = await waitUntil(
      'the heartbeat alert to fire',
      async () => {
        const list = (await ofKind('heartbeat_missing')).filter((a) => a.state === 'firing');
        return list.length > 0 && list;
      },
      30_000,
      500,
    );
    const firedAt = Date.parse(fired!.fired_at!);
    expect(firedAt - Date.parse(fired!.since)).toBeGreaterThanOrEqual(HEARTBEAT_MIN * 60_000);
    await waitUntil('the firing e-mail', async () => mailsMatching(/offline — no heartbeat/).length === 1, 15_000);

    const restartedAt = Date.now();
    agent = startAgent();
    await waitUntil(
      'the heartbeat alert to resolve',
      async () => (await ofKind('heartbeat_missing')).every((a) => a.state === 'resolved'),
      40_000,
      500,
    );
    await waitUntil('the resolved e-mail', async () => mailsMatching(/offline — no heartbeat/).length === 2, 15_000);
    // The agent was down, not its meters: after it returns, its readings catch up without any meter alert.
    await waitUntil(
      'both meters to deliver readings taken after the agent returned',
      () => everyMeterDeliveredSince(restartedAt),
      40_000,
      500,
    );
    await waitUntil('its backlog to be sent', async () => (await siteBacklog()) < BACKLOG, 40_000, 500);
    expect(mailsMatching(/offline — no heartbeat/)).toEqual(['FIRING', 'RESOLVED']);
    expect((await ofKind('meter_unreachable')).map((a) => `${a.state}: ${a.title} (${a.detail})`)).toHaveLength(1);
    expect(mails.length, mails.map((m) => m.subject).join('\n')).toBe(4);
  }, 90_000);

  it('when the client API is down for longer than the uplink threshold, then after the agent reconnects its heartbeat reports the outage, and the uplink and backlog alerts fire and resolve once each', async () => {
    const before = await alerts();
    const downAt = new Date();
    await api.proc.stop();
    // Long enough for both thresholds (however slowly a loaded machine collects), then restart right after a failed
    // upload so the next upload is 10 s away.
    await waitUntil(
      'the outage to exceed the uplink threshold and the backlog threshold',
      async () =>
        Date.now() - downAt.getTime() > UPLINK_MIN * 60_000 + 2 * SECOND && (await siteBacklog()) > BACKLOG + 20,
      90_000,
      250,
    );
    const failuresBefore = lastSyncFailure;
    await waitUntil(
      'a failed upload',
      async () => lastSyncFailure > failuresBefore,
      (SYNC_INTERVAL_S + 4) * SECOND,
      50,
    );
    const restartAt = new Date();
    api = await startApiProcess(apiEnv, apiPort);
    token = await logInAdmin();

    const both = await waitUntil(
      'the uplink and backlog alerts to fire',
      async () => {
        const list = (await alerts()).filter(
          (a) => (a.kind === 'uplink_down' || a.kind === 'backlog_size') && a.fired_at !== null,
        );
        return list.length === 2 && list;
      },
      20_000,
      250,
    ).catch(async (err: Error) => {
      const seen = (await heartbeatsSince(restartAt)).slice(0, 5).map((h) => ({
        at: h.agent_time,
        depth: h.queue_depth,
        oldest: h.oldest_unsent_at,
        down: h.uplink_down_since,
      }));
      throw new Error(
        `${err.message}; API restarted ${Date.now() - restartAt.getTime()} ms ago, ${restartAt.getTime() - lastSyncFailure} ms after a failed upload; heartbeats since: ${JSON.stringify(seen)}`,
      );
    });
    const uplink = both.find((a) => a.kind === 'uplink_down')!;
    const backlog = both.find((a) => a.kind === 'backlog_size')!;
    // The first heartbeat after the restart carried the outage.
    const hbs = await heartbeatsSince(restartAt);
    const first = hbs[0]!;
    expect(first.uplink_down_since).not.toBeNull();
    // Down since the stop (the agent notices at its next call), and its oldest unsent reading is from before then.
    expect(Date.parse(first.uplink_down_since!)).toBeGreaterThanOrEqual(downAt.getTime() - SECOND);
    expect(Date.parse(first.uplink_down_since!)).toBeLessThan(restartAt.getTime() - UPLINK_MIN * 60_000);
    expect(first.queue_depth).toBeGreaterThan(BACKLOG);
    expect(Date.parse(first.oldest_unsent_at!)).toBeLessThanOrEqual(Date.parse(first.uplink_down_since!) + 5 * SECOND);
    expect(uplink.value).toBeGreaterThan(UPLINK_MIN);
    expect(uplink.title).toMatch(/^Site "Live site" could not reach the client system for \d+ s$/);
    expect(backlog.value).toBeGreaterThan(BACKLOG);

    // The agent sends its backlog, the next heartbeats say so, and both alerts resolve.
    await waitUntil(
      'both alerts to resolve',
      async () => {
        const list = (await alerts()).filter((a) => a.kind === 'uplink_down' || a.kind === 'backlog_size');
        return list.length === 2 && list.every((a) => a.state === 'resolved');
      },
      30_000,
      500,
    );
    await waitUntil(
      'the four e-mails',
      async () => mailsMatching(/could not reach the client system|backlog of \d+ readings/).length === 4,
      15_000,
    );
    await new Promise((r) => setTimeout(r, 3 * SECOND));
    expect(mailsMatching(/could not reach the client system/)).toEqual(['FIRING', 'RESOLVED']);
    expect(mailsMatching(/backlog of \d+ readings/)).toEqual(['FIRING', 'RESOLVED']);
    // It was the client system that was down: the site and its meters are not blamed.
    const after = await alerts();
    expect(after.filter((a) => a.kind === 'heartbeat_missing' || a.kind === 'meter_unreachable')).toHaveLength(
      before.filter((a) => a.kind === 'heartbeat_missing' || a.kind === 'meter_unreachable').length,
    );
    expect(mails.length, mails.map((m) => m.subject).join('\n')).toBe(8);
  }, 180_000);
});
