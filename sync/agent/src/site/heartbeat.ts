import type { HeartbeatMeterState, HeartbeatRequest, HeartbeatResponse, MeterConfig } from '@meterit/shared';
import type { Logger } from '@meterit/shared/node';
import type { Clock } from '../clock.js';
import { heartbeatMeterStates } from '../health/heartbeat-states.js';
import { heartbeatMeterCounts } from '../health/meter-state.js';
import type { MeterStatus, SiteStatus, UplinkState } from './ports.js';

/** The heartbeat's body from the site's status and each meter's state. */
export function heartbeatBody(
  s: SiteStatus,
  meterStates: HeartbeatMeterState[],
  o: { agentVersion: string; now: number },
): HeartbeatRequest {
  return {
    agent_version: o.agentVersion,
    agent_time: new Date(o.now).toISOString(),
    collecting: s.collecting,
    queue_depth: s.queue.depth,
    oldest_unsent_at: s.queue.oldestUnsentAt ? s.queue.oldestUnsentAt.toISOString() : null,
    dead_letters: s.queue.deadLetters,
    uplink_down_since: s.uplink.downSince ? s.uplink.downSince.toISOString() : null,
    last_sync_at: s.lastSuccessfulSyncAt ? s.lastSuccessfulSyncAt.toISOString() : null,
    meters: heartbeatMeterCounts(s.meters.counts),
    queue_limit: {
      max: s.queueLimit.max,
      policy: s.queueLimit.policy,
      dropped: s.queueLimit.dropped,
      refused: s.queueLimit.refused,
      full_since: s.queueLimit.fullSince,
    },
    local_database: {
      state: s.localDatabase.state,
      since: s.localDatabase.since.toISOString(),
      restarts: s.localDatabase.restarts,
      last_error: s.localDatabase.lastError?.message.slice(0, 1000) || null,
      spilled_readings: s.localDatabase.spilledReadings,
    },
    foreign_device: s.foreignDevice
      ? {
          bbmd: s.foreignDevice.bbmd,
          registered: s.foreignDevice.registered,
          last_registered_at: s.foreignDevice.lastRegisteredAt?.toISOString() ?? null,
          last_error: s.foreignDevice.lastError,
        }
      : null,
    // Per meter, so the operators' app shows a meter that stopped answering at once (not when its values go stale).
    meter_states: meterStates,
    // The site's history on the client system: a restart, and a stop or start of collection with its reason.
    agent_started_at: s.startedAt.toISOString(),
    collection: {
      changed_at: s.collection.changedAt?.toISOString() ?? null,
      reason: s.collection.reason?.slice(0, 1000) ?? null,
    },
  };
}

/** Tells the client system how the site is; the first call after an outage is one of these. */
export class Heartbeat {
  private offsetMs: number | null = null;

  constructor(
    private readonly d: {
      api: { readonly uplink: UplinkState; heartbeat(body: HeartbeatRequest): Promise<HeartbeatResponse> };
      status: () => Promise<SiteStatus>;
      /** Last known rows while the local database is down, so the heartbeat still goes out. */
      meters: () => Promise<{ meters: readonly MeterConfig[]; statuses: MeterStatus[] }>;
      agentVersion: string;
      clock: Clock;
      logger: Logger;
    },
  ) {}

  /** The client system's clock minus ours, from the last answer; null before the first. */
  get clockOffsetMs(): number | null {
    return this.offsetMs;
  }

  async send(): Promise<void> {
    const status = await this.d.status();
    const { meters, statuses } = await this.d.meters();
    const body = heartbeatBody(status, heartbeatMeterStates(meters, statuses), {
      agentVersion: this.d.agentVersion,
      now: this.d.clock.now(),
    });
    const res = await this.d.api.heartbeat(body);
    this.offsetMs = res.clock_offset_ms;
  }

  /**
   * After an outage (or a restart) the first call to the client system is a heartbeat: it carries
   * since when the uplink was down and the backlog, which the uplink and backlog alerts need, before
   * an upload empties the backlog and a config refresh marks the uplink up again.
   */
  async reportIfDown(): Promise<void> {
    if (this.d.api.uplink.up === true) return;
    await this.send().catch((err: Error) =>
      this.d.logger.debug('heartbeat before the upload failed', { error: err.message }),
    );
  }
}
