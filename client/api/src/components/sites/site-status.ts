import type { HeartbeatRequest, SiteStatus } from '@meterit/shared';

export interface StatusSettings {
  offlineAfterMs: number;
  backlogDegradedMs: number;
  clockSkewDegradedMs: number;
}

export interface SiteStatusInput {
  id: number;
  name: string;
  is_active: boolean;
  last_heartbeat_at: Date | null;
  last_heartbeat: HeartbeatRequest | null;
  agent_version: string | null;
  clock_offset_ms: number | string | null;
  last_batch_at: Date | null;
  active_meters: number;
  /** Backlog size of the latest heartbeat at least 10 minutes before the last one. */
  earlier_queue_depth: number | string | null;
  time_zone: string;
  currency: string;
  area_m2: number | null;
  co2_kg_per_kwh: number | null;
}

const minutes = (ms: number) => {
  const m = Math.round(ms / 60_000);
  if (m < 120) return `${m} min`;
  const h = Math.round(m / 6) / 10;
  return h < 48 ? `${h} h` : `${Math.round(h / 24)} days`;
};

/**
 * online / degraded / offline / inactive, with every reason in words. Offline wins: with no recent
 * heartbeat the rest of the last one is old news (its numbers are still shown).
 */
export function siteStatus(s: SiteStatusInput, settings: StatusSettings, now: Date): SiteStatus {
  const hb = s.last_heartbeat;
  const reasons: string[] = [];
  const hbAge = s.last_heartbeat_at ? now.getTime() - s.last_heartbeat_at.getTime() : null;
  const oldest = hb?.oldest_unsent_at ? Date.parse(hb.oldest_unsent_at) : null;
  const backlogAge = oldest !== null && hb && hb.queue_depth > 0 ? Math.max(0, now.getTime() - oldest) : null;
  const earlier = s.earlier_queue_depth === null ? null : Number(s.earlier_queue_depth);
  const growing = hb && earlier !== null ? hb.queue_depth > earlier && hb.queue_depth > 0 : null;
  const clockOffset = s.clock_offset_ms === null ? null : Number(s.clock_offset_ms);

  let status: SiteStatus['status'];
  if (!s.is_active) {
    status = 'inactive';
    reasons.push('the site is deactivated: its agent cannot send data; reactivate it in Sites & meters');
  } else if (hbAge === null) {
    status = 'offline';
    reasons.push('no heartbeat ever received: the agent has not connected yet (install it with the site API key)');
  } else if (hbAge > settings.offlineAfterMs) {
    status = 'offline';
    reasons.push(
      `no heartbeat for ${minutes(hbAge)} (offline after ${minutes(settings.offlineAfterMs)}): the agent or its uplink is down`,
    );
  } else {
    if (hb) {
      const notAnswering = hb.meters.failing + hb.meters.never_answered;
      if (notAnswering > 0) {
        reasons.push(
          `${notAnswering} of ${hb.meters.configured} meters not answering` +
            (hb.meters.never_answered > 0 ? ` (${hb.meters.never_answered} never answered)` : ''),
        );
      }
      if (!hb.collecting) reasons.push('collection is stopped on the site');
      if (backlogAge !== null && backlogAge > settings.backlogDegradedMs) {
        reasons.push(
          `backlog of ${hb.queue_depth} readings, oldest ${minutes(backlogAge)} old${growing ? ' and growing' : ''}`,
        );
      }
      if (hb.uplink_down_since) reasons.push(`the agent reports its uplink down since ${hb.uplink_down_since}`);
      if (hb.dead_letters > 0)
        reasons.push(`${hb.dead_letters} readings were rejected and set aside on the site (dead letters)`);
      if (hb.foreign_device?.last_error) {
        reasons.push(
          `the agent's registration with the BBMD at ${hb.foreign_device.bbmd} fails (${hb.foreign_device.last_error}): meters on that network cannot be discovered`,
        );
      }
    }
    if (clockOffset !== null && Math.abs(clockOffset) > settings.clockSkewDegradedMs) {
      reasons.push(
        `the agent clock is ${Math.round(Math.abs(clockOffset) / 1000)} s ${clockOffset > 0 ? 'behind' : 'ahead of'} the server`,
      );
    }
    status = reasons.length > 0 ? 'degraded' : 'online';
  }

  return {
    site_id: s.id,
    site_name: s.name,
    is_active: s.is_active,
    status,
    reasons,
    last_heartbeat_at: s.last_heartbeat_at?.toISOString() ?? null,
    heartbeat_age_s: hbAge === null ? null : Math.round(hbAge / 1000),
    offline_after_s: Math.round(settings.offlineAfterMs / 1000),
    agent_version: s.agent_version,
    clock_offset_ms: clockOffset,
    collecting: hb?.collecting ?? null,
    backlog: {
      readings: hb?.queue_depth ?? null,
      oldest_unsent_at: hb?.oldest_unsent_at ?? null,
      age_s: backlogAge === null ? null : Math.round(backlogAge / 1000),
      growing,
    },
    dead_letters: hb?.dead_letters ?? null,
    uplink_down_since: hb?.uplink_down_since ?? null,
    last_sync_at: hb?.last_sync_at ?? null,
    last_batch_at: s.last_batch_at?.toISOString() ?? null,
    meters: {
      configured: s.active_meters,
      answering: hb?.meters.ok ?? null,
      failing: hb?.meters.failing ?? null,
      never_answered: hb?.meters.never_answered ?? null,
    },
    time_zone: s.time_zone,
    currency: s.currency,
    area_m2: s.area_m2,
    co2_kg_per_kwh: s.co2_kg_per_kwh,
  };
}

const RANK: Record<SiteStatus['status'], number> = { offline: 0, degraded: 1, online: 2, inactive: 3 };
/** Worst first: offline, degraded, online, inactive; then by name. */
export function worstFirst(a: SiteStatus, b: SiteStatus): number {
  return (
    RANK[a.status] - RANK[b.status] || b.reasons.length - a.reasons.length || a.site_name.localeCompare(b.site_name)
  );
}
