import type { Knex } from 'knex';
import {
  ErrorCode,
  OperatorErrorCode,
  type MeterSummary,
  type MeterWriteRequest,
  type MeterHealth,
} from '@meterit/shared';
import { ApiError } from '../../errors.js';
import {
  MetersAdminRepository,
  type LatestValueRow,
  type MeterFilter,
  type MeterWithSiteRow,
  storedDataPoints,
  toNewMeter,
  type NewMeter,
} from './meters-repository.js';

export const ENERGY_UNITS: Record<string, number> = { Wh: 0.001, kWh: 1, MWh: 1000 };
export const POWER_UNITS: Record<string, number> = { W: 0.001, kW: 1, MW: 1000 };

const ago = (iso: string | null, now: number) => {
  if (!iso) return '';
  const min = Math.round((now - Date.parse(iso)) / 60_000);
  return min < 1 ? ' since less than a minute' : min < 120 ? ` for ${min} min` : ` for ${Math.round(min / 60)} h`;
};

/**
 * What the agent said about the meter in the site's latest heartbeat, when it says more than "ok" and is
 * recent: it knows at the first failed poll, while the readings only go stale after `staleMs`.
 */
function agentHealth(
  m: MeterWithSiteRow,
  last: Date | null,
  staleMs: number,
  now: number,
): { status: MeterHealth; reason: string } | undefined {
  const a = m.agent_state;
  if (!a || !m.agent_state_at || now - m.agent_state_at.getTime() > staleMs) return undefined;
  const error = a.error ? `: ${a.error}` : '';
  switch (a.state) {
    case 'wrong_device':
      return {
        status: 'wrong_device',
        reason: `another device answers at its address (device ${a.found_device_id ?? '?'}, configured ${a.expected_device_id ?? m.bacnet_device_id ?? '?'}): nothing is stored for it; check the address and device id`,
      };
    case 'not_answering':
      return {
        status: 'not_answering',
        reason: `not answering the agent${ago(a.since ?? a.last_success_at, now)}${error}`,
      };
    case 'never_answered':
      return last === null
        ? { status: 'no_data', reason: `has never answered the agent${error}; check the BACnet address and device id` }
        : { status: 'not_answering', reason: `not answering the agent since it restarted${error}` };
    case 'degraded':
      return {
        status: 'degraded',
        reason: `answers, but ${a.points_failing} data point${a.points_failing === 1 ? '' : 's'} failed on the last poll${error}`,
      };
    default:
      return undefined;
  }
}

/** Values of a meter in these states are old news: greyed, and left out of totals. */
const NOT_CURRENT: ReadonlySet<MeterHealth> = new Set<MeterHealth>([
  'not_answering',
  'wrong_device',
  'stale',
  'no_data',
  'inactive',
]);

function health(
  m: MeterWithSiteRow,
  latest: LatestValueRow[],
  staleMs: number,
  now: number,
): { status: MeterHealth; reason: string; last: Date | null } {
  const last = latest.reduce<Date | null>((acc, l) => (acc === null || l.ts > acc ? l.ts : acc), null);
  if (!m.is_active) return { status: 'inactive', reason: 'deactivated: the agent does not read it', last };
  const agent = agentHealth(m, last, staleMs, now);
  if (agent && agent.status !== 'degraded') return { ...agent, last };
  if (last === null)
    return {
      status: 'no_data',
      reason: 'no reading has arrived yet: check the BACnet address and device id, and the site status',
      last,
    };
  const bad = latest.filter((l) => l.quality !== 'good');
  if (bad.length > 0) {
    return { status: 'fault', reason: bad.map((l) => `${l.data_point} reports "${l.quality}"`).join('; '), last };
  }
  if (agent) return { ...agent, last };
  const age = now - last.getTime();
  if (age > staleMs) {
    return {
      status: 'stale',
      reason: `no reading for ${Math.round(age / 60_000)} min: the meter stopped answering, or the site has a backlog`,
      last,
    };
  }
  return { status: 'ok', reason: 'answering', last };
}

export function toSummary(m: MeterWithSiteRow, latest: LatestValueRow[], staleMs: number, now: number): MeterSummary {
  const byPoint = new Map(latest.map((l) => [l.data_point, l]));
  const h = health(m, latest, staleMs, now);
  return {
    id: m.id,
    site_id: m.site_id,
    site_name: m.site_name,
    external_id: m.external_id,
    name: m.name,
    bacnet_device_id: m.bacnet_device_id,
    bacnet_ip: m.bacnet_ip,
    bacnet_port: m.bacnet_port,
    is_active: m.is_active,
    status: h.status,
    status_reason: h.reason,
    last_reading_at: h.last?.toISOString() ?? null,
    updated_at: m.updated_at.toISOString(),
    values_current: !NOT_CURRENT.has(h.status),
    agent_state:
      m.agent_state && m.agent_state_at ? { ...m.agent_state, reported_at: m.agent_state_at.toISOString() } : null,
    data_points: m.data_points.map((p) => {
      const l = byPoint.get(p.name);
      return { ...p, latest: l ? { ts: l.ts.toISOString(), value: l.value, unit: l.unit, quality: l.quality } : null };
    }),
  };
}

/** Meters across sites with their latest values, and meter edits (picked up by agents via /api/sync/config). */
export class MeterDirectory {
  readonly repo: MetersAdminRepository;

  constructor(
    knex: Knex,
    private readonly staleMs: number,
  ) {
    this.repo = new MetersAdminRepository(knex);
  }

  async list(f: MeterFilter, now = Date.now()): Promise<MeterSummary[]> {
    const meters = await this.repo.list(f);
    const latest = await this.repo.latestValues(meters.map((m) => m.id));
    const byMeter = new Map<number, LatestValueRow[]>();
    for (const l of latest) (byMeter.get(l.meter_id) ?? byMeter.set(l.meter_id, []).get(l.meter_id))?.push(l);
    return meters.map((m) => toSummary(m, byMeter.get(m.id) ?? [], this.staleMs, now));
  }

  /** The meter if it exists and is on one of `siteIds` (null = any); else 404. */
  async get(id: number, siteIds: number[] | null): Promise<MeterSummary> {
    const [m] = await this.list({ siteIds, meterIds: [id], includeInactive: true });
    if (!m) throw new ApiError(404, ErrorCode.NOT_FOUND, `no meter with id ${id}`);
    return m;
  }

  async create(siteId: number, req: MeterWriteRequest): Promise<number> {
    const id = await this.repo.insert(siteId, toNewMeter(req.external_id, req));
    if (id === undefined)
      throw new ApiError(
        409,
        OperatorErrorCode.CONFLICT,
        `site ${siteId} already has a meter with id "${req.external_id}"`,
      );
    return id;
  }

  async update(id: number, siteId: number, req: Partial<MeterWriteRequest>): Promise<void> {
    const patch: Partial<NewMeter> = {};
    if (req.external_id !== undefined) patch.external_id = req.external_id;
    if (req.name !== undefined) patch.name = req.name;
    if (req.bacnet_device_id !== undefined) patch.bacnet_device_id = req.bacnet_device_id;
    if (req.bacnet_ip !== undefined) patch.bacnet_ip = req.bacnet_ip;
    if (req.bacnet_port !== undefined) patch.bacnet_port = req.bacnet_port;
    if (req.data_points !== undefined) patch.data_points = storedDataPoints(req.data_points);
    if (req.is_active !== undefined) patch.is_active = req.is_active;
    if (!(await this.repo.update(id, siteId, patch))) {
      throw new ApiError(
        409,
        OperatorErrorCode.CONFLICT,
        `site ${siteId} already has another meter with id "${req.external_id}"`,
      );
    }
  }
}
