import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertDetailResponse, AlertInfo } from '@meterit/shared';
import { createLogger, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '@meterit/shared/node';
import { freePort, startMailReceiver, type MailReceiver, type ReceivedMail } from '@meterit/shared/testing';
import { defaultAlertsConfig, startClientApi, type RunningClientApi } from '../src/index.js';
import { waitUntil } from './helpers/processes.js';
import { as, createUser } from './operator-helpers.js';

// The engine watching its own database. This file stops its PostgreSQL, so it runs its own (like database-down.test.ts),
// with the real clock, an evaluation every 0.5 s, a database-down threshold of 3 s and a real SMTP server.
const THRESHOLD_MIN = 0.05; // 3 s
const INTERVAL_S = 0.5;
// A probe of a database that does not answer gives up after 5 s (engine.ts); one probe and two intervals of slack.
const FIRE_WITHIN_MS = THRESHOLD_MIN * 60_000 + 5000 + 2 * INTERVAL_S * 1000 + 2000;

let dir: string;
let pgPort: number;
let pg: EmbeddedPostgresHandle | undefined;
let api: RunningClientApi;
let smtp: MailReceiver;
let mails: ReceivedMail[] = [];
let admin: string;
const logger = createLogger({ service: 'alerts-db-down-test', silent: true });

beforeAll(async () => {
  smtp = await startMailReceiver();
  mails = smtp.mails;

  dir = mkdtempSync(path.join(tmpdir(), 'client-api-alerts-db-down-'));
  chmodSync(dir, 0o755);
  pgPort = await freePort();
  pg = await startEmbeddedPostgres(dir, pgPort, logger);
  api = await startClientApi(
    {
      port: 0,
      host: '127.0.0.1',
      database: { kind: 'connection', ...pg.connection, database: 'postgres' },
      alerts: defaultAlertsConfig({
        evalIntervalSeconds: INTERVAL_S,
        databaseDownMinutes: THRESHOLD_MIN,
        smtpUrl: smtp.url,
        emailTo: ['dba@example.test'],
        emailFrom: 'MeterIT <alerts@meterit.test>',
        publicUrl: 'https://meterit.example.com',
      }),
    },
    { env: { NODE_ENV: 'test' }, logger },
  );
  admin = await createUser(api, 'admin@example.test', 'admin');
}, 120_000);

afterAll(async () => {
  await api?.close(1000).catch(() => {});
  await pg?.stop().catch(() => {});
  await smtp?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('when the central database goes down', () => {
  it('then the database-down e-mail is sent from memory within the threshold, and once it is back the alert is in the history and the resolve e-mail goes out', async () => {
    // A couple of evaluations while the database answers: nothing to say.
    await new Promise((r) => setTimeout(r, 3 * INTERVAL_S * 1000));
    expect(mails).toEqual([]);

    const downAt = Date.now();
    await pg!.stop();
    pg = undefined;
    await waitUntil('the firing e-mail', async () => mails.length >= 1, FIRE_WITHIN_MS + 5000, 100);
    const fire = mails[0]!;
    expect(fire.at - downAt).toBeGreaterThanOrEqual(THRESHOLD_MIN * 60_000);
    expect(fire.at - downAt).toBeLessThan(FIRE_WITHIN_MS);
    expect(fire.to).toEqual(['dba@example.test']);
    expect(fire.subject).toMatch(/^\[MeterIT\] FIRING: Central database unreachable for \d+ s$/);
    expect(fire.text).toContain('What:       Central database unreachable (database_down)');
    expect(fire.text).toContain('This e-mail was sent from memory.');
    expect(fire.text).toContain('Open in MeterIT: https://meterit.example.com/alerts');

    // Still down a while longer: the engine keeps evaluating, and sends nothing more.
    await new Promise((r) => setTimeout(r, 4000));
    expect(mails).toHaveLength(1);

    const upAt = Date.now();
    pg = await startEmbeddedPostgres(dir, pgPort, logger);
    await waitUntil('the resolved e-mail', async () => mails.length >= 2, 30_000, 100);
    const resolved = mails[1]!;
    expect(resolved.subject).toMatch(/^\[MeterIT\] RESOLVED: Central database unreachable for \d+ s$/);
    expect(resolved.to).toEqual(['dba@example.test']);
    expect(resolved.at).toBeGreaterThanOrEqual(upAt);

    // The outage is now in the database: one resolved alert with both e-mails in its outbox, as sent.
    const list = await waitUntil(
      'the alert to be recorded',
      async () => {
        const res = await as(api, admin, 'GET', '/api/alerts?state=resolved');
        const found = (res.json?.alerts as AlertInfo[] | undefined)?.filter((a) => a.kind === 'database_down') ?? [];
        return found.length > 0 && found;
      },
      10_000,
      200,
    );
    expect(list).toHaveLength(1);
    const alert = list[0]!;
    expect(Date.parse(alert.since)).toBeGreaterThanOrEqual(downAt);
    expect(Date.parse(alert.fired_at!) - Date.parse(alert.since)).toBeGreaterThanOrEqual(THRESHOLD_MIN * 60_000);
    expect(Date.parse(alert.resolved_at!)).toBeGreaterThanOrEqual(upAt);
    const detail = (await as(api, admin, 'GET', `/api/alerts/${alert.id}`)).json as AlertDetailResponse;
    expect(detail.events.map((e) => e.type)).toEqual(['firing', 'resolved']);
    expect(detail.notifications.map((n) => [n.event, n.status, n.attempts, n.created_by]).sort()).toEqual([
      ['firing', 'sent', 1, 'alert engine (from memory)'],
      ['resolved', 'sent', 1, 'alert engine (from memory)'],
    ]);

    // Later evaluations neither send again nor record it twice.
    await new Promise((r) => setTimeout(r, 3 * INTERVAL_S * 1000));
    expect(mails).toHaveLength(2);
    const again = await as(api, admin, 'GET', '/api/alerts');
    expect((again.json.alerts as AlertInfo[]).filter((a) => a.kind === 'database_down')).toHaveLength(1);
  }, 90_000);
});
