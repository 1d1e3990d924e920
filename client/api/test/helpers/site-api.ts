import { expect } from 'vitest';
import type { HeartbeatMeterState, HeartbeatRequest, SyncReading } from '@meterit/shared';
import { call, type CallResult } from '../helpers.js';

// What a site agent sends, for tests that play the agent against a running API (in this process or an API process).

/**
 * A heartbeat of a healthy agent that has just synced, one meter answering; `extra` says what differs. Tests on a
 * manual clock pass `agent_time` (and `last_sync_at`) from it.
 */
export function heartbeatOf(extra: Partial<HeartbeatRequest> = {}): HeartbeatRequest {
  const now = new Date().toISOString();
  return {
    agent_version: 'test',
    agent_time: now,
    collecting: true,
    queue_depth: 0,
    oldest_unsent_at: null,
    dead_letters: 0,
    uplink_down_since: null,
    last_sync_at: now,
    meters: { configured: 1, ok: 1, failing: 0, never_answered: 0 },
    ...extra,
  };
}

/** One meter's state in a heartbeat's `meter_states`: answering just now unless `state` and `extra` say otherwise. */
export function meterState(
  external_id: string,
  state: HeartbeatMeterState['state'] = 'ok',
  extra: Partial<HeartbeatMeterState> = {},
): HeartbeatMeterState {
  return {
    external_id,
    state,
    since: null,
    last_success_at: new Date().toISOString(),
    error: null,
    points_failing: 0,
    ...extra,
  };
}

/** POST `body` to /api/sync/<route> (e.g. `meters`, `readings/batch`, `heartbeat`) with the site's key. */
export function sync(api: { url: string }, key: string, route: string, body: unknown): Promise<CallResult> {
  return call(api, 'POST', `/api/sync/${route}`, { key, body });
}

/** As `sync`, and the test fails there, naming the route and the answer, unless the API took it (200). */
export async function syncOk(api: { url: string }, key: string, route: string, body: unknown): Promise<CallResult> {
  const res = await sync(api, key, route, body);
  expect(res.status, `${route}: ${JSON.stringify(res.json)}`).toBe(200);
  return res;
}

/**
 * What a meter drawing a steady `kw` sent: a kWh counter (from `startKwh`) and the kW value every minute for the last
 * `minutes` minutes, the newest `lastAgoMs` ago.
 */
export function minuteReadings(
  id: string,
  o: { kw: number; minutes: number; startKwh: number; lastAgoMs?: number },
): SyncReading[] {
  const out: SyncReading[] = [];
  const newest = Date.now() - (o.lastAgoMs ?? 20_000);
  for (let i = o.minutes; i >= 0; i--) {
    const timestamp = new Date(newest - i * 60_000).toISOString();
    const kwh = o.startKwh + (o.minutes - i) * (o.kw / 60);
    out.push({ meter_external_id: id, data_point: 'total_kwh', timestamp, value: kwh, unit: 'kWh', quality: 'good' });
    out.push({ meter_external_id: id, data_point: 'current_kw', timestamp, value: o.kw, unit: 'kW', quality: 'good' });
  }
  return out;
}
