import type { Knex } from 'knex';
import { ErrorCode, type HeartbeatRequest, type HeartbeatResponse, type SyncAuthResponse } from '@meterit/shared';
import { ApiError } from '../../errors.js';
import type { AuthenticatedSite } from '../../types.js';
import { apiKeyMatches, apiKeyPrefix, generateApiKey, hashApiKey } from './api-keys.js';
import { SitesRepository } from './sites-repository.js';
import { heartbeatEvents } from './site-history.js';
import { SiteHistoryRepository } from './site-history-repository.js';

export interface CreatedSiteKey {
  site_id: number;
  site_name: string;
  api_key: string;
  site_created: boolean;
}

// One message for unknown, wrong, expired and revoked keys alone: the answer must not tell them apart.
const INVALID_KEY_MESSAGE = 'the API key is not valid (unknown, wrong, expired or revoked), or its site is disabled';
const DUMMY_HASH = hashApiKey('mk_0000000000000000_dummy');

export class SitesService {
  private readonly repo: SitesRepository;
  private readonly history: SiteHistoryRepository;

  constructor(private readonly knex: Knex) {
    this.repo = new SitesRepository(knex);
    this.history = new SiteHistoryRepository(knex);
  }

  /** Create the site if absent and a new API key for it. The key is returned once and stored only as a hash. */
  async createSiteWithKey(name: string, opts: { expireOtherKeysAfterMs?: number } = {}): Promise<CreatedSiteKey> {
    const key = generateApiKey();
    return this.knex.transaction(async (trx) => {
      const { site, created } = await this.repo.ensure(name, trx);
      const keyId = await this.repo.insertApiKey(site.id, key.prefix, key.hash, trx);
      if (opts.expireOtherKeysAfterMs !== undefined) {
        await this.repo.expireOtherKeys(site.id, keyId, opts.expireOtherKeysAfterMs, trx);
      }
      return { site_id: site.id, site_name: site.name, api_key: key.key, site_created: created };
    });
  }

  /** The site a key belongs to; throws AUTH_INVALID for any kind of bad key. */
  async authenticate(key: string, now: Date = new Date()): Promise<AuthenticatedSite> {
    const prefix = apiKeyPrefix(key);
    const found = prefix ? await this.repo.findKeyByPrefix(prefix) : undefined;
    // Compare even when nothing was found so that timing says little about which prefixes exist.
    const matches = apiKeyMatches(key, found?.key_hash ?? DUMMY_HASH);
    if (
      !found ||
      !matches ||
      !found.site_active ||
      found.revoked_at !== null ||
      (found.expires_at !== null && found.expires_at.getTime() <= now.getTime())
    ) {
      throw new ApiError(401, ErrorCode.AUTH_INVALID, INVALID_KEY_MESSAGE);
    }
    return { id: found.site_id, name: found.site_name };
  }

  authResponse(site: AuthenticatedSite, now: Date = new Date()): SyncAuthResponse {
    return { site_id: site.id, site_name: site.name, server_time: now.toISOString() };
  }

  async recordHeartbeat(
    site: AuthenticatedSite,
    hb: HeartbeatRequest,
    now: Date = new Date(),
  ): Promise<HeartbeatResponse> {
    const clockOffsetMs = now.getTime() - Date.parse(hb.agent_time);
    // Each meter's state, kept in the heartbeat (the wrong-device rule reads it there) and on the meter (its status).
    const meterStates = hb.meter_states?.map((m) => ({
      external_id: m.external_id,
      state: m.state,
      since: m.since,
      last_success_at: m.last_success_at,
      error: m.error,
      points_failing: m.points_failing,
      ...(m.expected_device_id !== undefined ? { expected_device_id: m.expected_device_id } : {}),
      ...(m.found_device_id !== undefined ? { found_device_id: m.found_device_id } : {}),
    }));
    const payload: HeartbeatRequest = {
      agent_version: hb.agent_version,
      agent_time: hb.agent_time,
      collecting: hb.collecting,
      queue_depth: hb.queue_depth,
      oldest_unsent_at: hb.oldest_unsent_at,
      dead_letters: hb.dead_letters,
      uplink_down_since: hb.uplink_down_since,
      last_sync_at: hb.last_sync_at,
      meters: {
        configured: hb.meters.configured,
        ok: hb.meters.ok,
        failing: hb.meters.failing,
        never_answered: hb.meters.never_answered,
      },
      // Kept for the wrong-device alert rule (alerts/evaluators.ts); absent from agents that do not report it.
      ...(meterStates ? { meter_states: meterStates } : {}),
      // Kept for the queue-full alert rule (alerts/evaluators.ts); absent from agents that do not report it.
      ...(hb.queue_limit
        ? {
            queue_limit: {
              max: hb.queue_limit.max,
              policy: hb.queue_limit.policy,
              dropped: hb.queue_limit.dropped,
              refused: hb.queue_limit.refused,
              full_since: hb.queue_limit.full_since,
            },
          }
        : {}),
      // The agent's own database: restarting or down means readings wait in its spill file.
      ...(hb.local_database
        ? {
            local_database: {
              state: hb.local_database.state,
              since: hb.local_database.since,
              restarts: hb.local_database.restarts,
              last_error: hb.local_database.last_error,
              spilled_readings: hb.local_database.spilled_readings,
            },
          }
        : {}),
      // The registration with a BBMD, shown on the site's status; null when the agent has none configured.
      ...(hb.foreign_device !== undefined
        ? {
            foreign_device: hb.foreign_device && {
              bbmd: hb.foreign_device.bbmd,
              registered: hb.foreign_device.registered,
              last_registered_at: hb.foreign_device.last_registered_at,
              last_error: hb.foreign_device.last_error,
            },
          }
        : {}),
      // The site's history (site_events): when the agent started, and the last start/stop of collection with its reason.
      ...(hb.agent_started_at ? { agent_started_at: hb.agent_started_at } : {}),
      ...(hb.collection ? { collection: { changed_at: hb.collection.changed_at, reason: hb.collection.reason } } : {}),
    };
    await this.repo.recordHeartbeat({
      siteId: site.id,
      agentVersion: hb.agent_version,
      clockOffsetMs,
      payload: { ...payload },
      receivedAt: now,
      meterStates,
    });
    await this.history.record(site.id, heartbeatEvents(payload, now, clockOffsetMs));
    return { server_time: now.toISOString(), clock_offset_ms: clockOffsetMs };
  }

  revokeKey(apiKey: string): Promise<boolean> {
    const prefix = apiKeyPrefix(apiKey);
    return prefix ? this.repo.revokeKeyByPrefix(prefix) : Promise.resolve(false);
  }

  setSiteActive(siteId: number, active: boolean): Promise<void> {
    return this.repo.setActive(siteId, active);
  }
}
