import type { Knex } from 'knex';
import {
  ErrorCode,
  OperatorErrorCode,
  type ApiKeyInfo,
  type ConnectivityOutage,
  type ConnectivityResponse,
  type OutageSource,
  type SiteKeyResponse,
  type SiteStatus,
  type SiteSummary,
  type SiteUpdateRequest,
  type SiteWriteRequest,
} from '@meterit/shared';
import { ApiError } from '../../errors.js';
import { POWER_UNITS, type MeterDirectory } from '../meters/meter-directory.js';
import type { ReadingsService } from '../readings/readings-service.js';
import { generateApiKey } from './api-keys.js';
import { SitesAdminRepository, SitesRepository, type SiteColumns } from './sites-repository.js';
import { siteStatus, worstFirst, type StatusSettings } from './site-status.js';

export interface SiteDirectorySettings extends StatusSettings {
  keyRotationGraceMs: number;
  /** A heartbeat gap longer than this is an outage in the connectivity history. */
  outageGapMs: number;
  /** Power readings older than this do not count as "current". */
  currentPowerMaxAgeMs: number;
}

/** An outage the agent reports that was shorter than this was a failed call retried, not an outage worth listing. */
const MIN_REPORTED_OUTAGE_MS = 60_000;

interface Interval {
  from: number;
  to: number;
  ongoing: boolean;
  sources: OutageSource[];
}

/** Sorted, with overlapping intervals merged (their sources joined). Two gaps around one heartbeat that got through stay two. */
function mergeOutages(intervals: Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const i of [...intervals].sort((a, b) => a.from - b.from)) {
    const last = out.at(-1);
    if (last && i.from < last.to) {
      last.to = Math.max(last.to, i.to);
      last.ongoing ||= i.ongoing;
      for (const src of i.sources) if (!last.sources.includes(src)) last.sources.push(src);
    } else {
      out.push({ ...i, sources: [...i.sources] });
    }
  }
  return out;
}

/** The columns a site request sets: only the fields it names (an empty location is none). */
function siteColumns(b: SiteUpdateRequest): SiteColumns {
  const columns: SiteColumns = {};
  if (b.name !== undefined) columns.name = b.name;
  if (b.location !== undefined) columns.location = b.location?.trim() || null;
  if (b.is_active !== undefined) columns.is_active = b.is_active;
  if (b.time_zone !== undefined) columns.time_zone = b.time_zone;
  if (b.currency !== undefined) columns.currency = b.currency;
  if (b.area_m2 !== undefined) columns.area_m2 = b.area_m2;
  if (b.co2_kg_per_kwh !== undefined) columns.co2_kg_per_kwh = b.co2_kg_per_kwh;
  return columns;
}

const notFound = (id: number) => new ApiError(404, ErrorCode.NOT_FOUND, `no site with id ${id}`);

/** Operators' view of sites: status, totals, connectivity history, and admin edits and keys. */
export class SiteDirectory {
  readonly repo: SitesAdminRepository;
  private readonly sites: SitesRepository;

  constructor(
    private readonly knex: Knex,
    private readonly meters: MeterDirectory,
    private readonly readings: ReadingsService,
    private readonly settings: SiteDirectorySettings,
  ) {
    this.repo = new SitesAdminRepository(knex);
    this.sites = new SitesRepository(knex);
  }

  async statuses(siteIds: number[] | null, includeInactive: boolean, now = new Date()): Promise<SiteStatus[]> {
    return (await this.repo.overview(siteIds, includeInactive)).map((r) => siteStatus(r, this.settings, now));
  }

  async status(id: number, now = new Date()): Promise<SiteStatus> {
    const [s] = await this.statuses([id], true, now);
    if (!s) throw notFound(id);
    return s;
  }

  /** Every visible site with its status, current power and energy since `energySince`, worst first. */
  async summaries(
    siteIds: number[] | null,
    opts: { includeInactive: boolean; energySince: Date; tz: string },
    now = new Date(),
  ): Promise<SiteSummary[]> {
    const rows = await this.repo.overview(siteIds, opts.includeInactive);
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    // The meters and the energy since midnight are independent queries: asked at once, the answer waits for the
    // slower one only (with 200 sites × 10 meters the energy takes about twice as long as the meters).
    const [meters, consumption] = await Promise.all([
      this.meters.list({ siteIds: ids, includeInactive: false }, now.getTime()),
      opts.energySince < now
        ? this.readings.consumption({
            siteIds: ids,
            from: opts.energySince,
            to: now,
            interval: '1d',
            tz: opts.tz,
            gapSeconds: 3600,
          })
        : undefined,
    ]);
    const power = new Map<number, number>();
    const lastReading = new Map<number, string>();
    // A meter whose values are old news (not answering, another device, stale) adds nothing to the totals, and says so.
    const leftOut = new Map<number, SiteSummary['totals_left_out']>();
    const notCurrent = new Set<number>();
    for (const m of meters) {
      if (m.last_reading_at && (lastReading.get(m.site_id) ?? '') < m.last_reading_at)
        lastReading.set(m.site_id, m.last_reading_at);
      if (!m.values_current) {
        notCurrent.add(m.id);
        if (m.last_reading_at)
          (leftOut.get(m.site_id) ?? leftOut.set(m.site_id, []).get(m.site_id))?.push({
            meter_id: m.id,
            name: m.name,
            status: m.status,
          });
        continue;
      }
      for (const p of m.data_points) {
        const factor = p.latest?.unit ? POWER_UNITS[p.latest.unit] : undefined;
        if (!p.latest || factor === undefined || p.latest.quality !== 'good') continue;
        if (now.getTime() - Date.parse(p.latest.ts) > this.settings.currentPowerMaxAgeMs) continue;
        power.set(m.site_id, (power.get(m.site_id) ?? 0) + p.latest.value * factor);
      }
    }
    const energy = new Map<number, number>();
    for (const s of consumption?.series ?? [])
      if (!notCurrent.has(s.meter_id)) energy.set(s.site_id, (energy.get(s.site_id) ?? 0) + s.total_kwh);
    return rows
      .map((r) => ({
        ...siteStatus(r, this.settings, now),
        location: r.location,
        created_at: r.created_at.toISOString(),
        current_power_kw: power.has(r.id) ? Math.round((power.get(r.id) as number) * 1000) / 1000 : null,
        energy_today_kwh: energy.has(r.id) ? Math.round((energy.get(r.id) as number) * 1000) / 1000 : null,
        energy_since: opts.energySince.toISOString(),
        last_reading_at: lastReading.get(r.id) ?? null,
        totals_left_out: leftOut.get(r.id) ?? [],
      }))
      .sort(worstFirst);
  }

  async connectivity(id: number, from: Date, to: Date, max: number, now = new Date()): Promise<ConnectivityResponse> {
    await this.status(id, now);
    const { rows, total } = await this.repo.heartbeats(id, from, to, max);
    const gapMs = this.settings.offlineAfterMs;
    const before = await this.repo.heartbeatBefore(id, from);
    const gaps = await this.repo.heartbeatGaps(id, before ?? from, to, gapMs);
    const lastBeforeTo = await this.repo.heartbeatBefore(id, to);
    const end = new Date(Math.min(to.getTime(), now.getTime()));
    if (lastBeforeTo && end.getTime() - lastBeforeTo.getTime() > gapMs) gaps.push({ from: lastBeforeTo, to: end });
    const outages = await this.outages(id, from, to, before, lastBeforeTo, end, now);
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      truncated: total > rows.length,
      heartbeats: rows.map((r) => ({
        received_at: r.received_at.toISOString(),
        queue_depth: r.payload.queue_depth,
        oldest_unsent_at: r.payload.oldest_unsent_at,
        collecting: r.payload.collecting,
        meters_ok: r.payload.meters.ok,
        meters_failing: r.payload.meters.failing + r.payload.meters.never_answered,
        clock_offset_ms: Date.parse(r.received_at.toISOString()) - Date.parse(r.payload.agent_time),
        uplink_down_since: r.payload.uplink_down_since,
      })),
      offline_periods: gaps.map((g) => ({
        from: new Date(Math.max(g.from.getTime(), from.getTime())).toISOString(),
        to: g.to.toISOString(),
        minutes: Math.round((g.to.getTime() - Math.max(g.from.getTime(), from.getTime())) / 60_000),
      })),
      outages,
      outage_gap_s: Math.round(this.settings.outageGapMs / 1000),
    };
  }

  /**
   * Outages seen two ways: a heartbeat gap longer than the outage threshold (the server's view), and the agent's
   * own `uplink_down_since` in the first heartbeat after it was back (its clock corrected by that heartbeat's offset).
   */
  private async outages(
    id: number,
    from: Date,
    to: Date,
    before: Date | undefined,
    lastBeforeTo: Date | undefined,
    end: Date,
    now: Date,
  ): Promise<ConnectivityOutage[]> {
    const gapMs = this.settings.outageGapMs;
    const intervals: Interval[] = (await this.repo.heartbeatGaps(id, before ?? from, to, gapMs)).map((g) => ({
      from: g.from.getTime(),
      to: g.to.getTime(),
      ongoing: false,
      sources: ['heartbeat_gap'],
    }));
    if (lastBeforeTo && end.getTime() - lastBeforeTo.getTime() > gapMs) {
      intervals.push({
        from: lastBeforeTo.getTime(),
        to: end.getTime(),
        ongoing: to.getTime() >= now.getTime(),
        sources: ['heartbeat_gap'],
      });
    }
    for (const r of await this.repo.reportedOutages(id, from, to)) {
      const offset = r.received_at.getTime() - Date.parse(r.agent_time);
      const since = Date.parse(r.since) + (Number.isFinite(offset) ? offset : 0);
      if (Number.isFinite(since) && r.received_at.getTime() - since >= MIN_REPORTED_OUTAGE_MS) {
        intervals.push({
          from: Math.min(since, r.received_at.getTime()),
          to: r.received_at.getTime(),
          ongoing: false,
          sources: ['agent_reported'],
        });
      }
    }
    return mergeOutages(intervals)
      .filter((o) => o.to > from.getTime())
      .map((o) => {
        const start = Math.max(o.from, from.getTime());
        return {
          from: new Date(start).toISOString(),
          to: new Date(o.to).toISOString(),
          duration_s: Math.round((o.to - start) / 1000),
          ongoing: o.ongoing,
          sources: o.sources,
        };
      });
  }

  /** A new site and its first key; the settings left out take the database's defaults (UTC, EUR, none). */
  async create(req: SiteWriteRequest): Promise<SiteKeyResponse> {
    const key = generateApiKey();
    const result = await this.knex.transaction(async (trx) => {
      const id = await this.repo.insert({ ...siteColumns(req), name: req.name }, trx);
      if (id === undefined) return undefined;
      await this.sites.insertApiKey(id, key.prefix, key.hash, trx);
      return id;
    });
    if (result === undefined)
      throw new ApiError(409, OperatorErrorCode.CONFLICT, `a site named "${req.name}" already exists`);
    return {
      site_id: result,
      site_name: req.name,
      api_key: key.key,
      key_prefix: key.prefix,
      previous_keys_expire_at: null,
    };
  }

  async update(id: number, patch: SiteUpdateRequest): Promise<void> {
    await this.status(id);
    if (!(await this.repo.update(id, siteColumns(patch))))
      throw new ApiError(409, OperatorErrorCode.CONFLICT, `another site is already named "${patch.name}"`);
  }

  /** A new key; the site's other keys keep working for the grace period, then stop. */
  async rotateKey(id: number, graceMs = this.settings.keyRotationGraceMs): Promise<SiteKeyResponse> {
    const site = await this.status(id);
    const key = generateApiKey();
    await this.knex.transaction(async (trx) => {
      const keyId = await this.sites.insertApiKey(id, key.prefix, key.hash, trx);
      await this.sites.expireOtherKeys(id, keyId, graceMs, trx);
    });
    return {
      site_id: id,
      site_name: site.site_name,
      api_key: key.key,
      key_prefix: key.prefix,
      previous_keys_expire_at: new Date(Date.now() + graceMs).toISOString(),
    };
  }

  async keys(id: number, now = new Date()): Promise<ApiKeyInfo[]> {
    await this.status(id);
    return (await this.repo.keys(id)).map((k) => ({
      key_prefix: k.key_prefix,
      created_at: k.created_at.toISOString(),
      expires_at: k.expires_at?.toISOString() ?? null,
      revoked_at: k.revoked_at?.toISOString() ?? null,
      state: k.revoked_at ? 'revoked' : k.expires_at === null ? 'active' : k.expires_at <= now ? 'expired' : 'expiring',
    }));
  }

  async revokeKey(id: number, prefix: string): Promise<void> {
    await this.status(id);
    if (!(await this.repo.revokeKey(id, prefix)))
      throw new ApiError(404, ErrorCode.NOT_FOUND, `site ${id} has no active key with prefix ${prefix}`);
  }
}
