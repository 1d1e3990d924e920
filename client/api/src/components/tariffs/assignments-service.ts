import {
  ErrorCode,
  type TariffAssignment,
  type TariffAssignmentWrite,
  type TariffAssignmentsResponse,
} from '@meterit/shared';
import { ApiError } from '../../errors.js';
import { assertSiteVisible } from '../../middleware/user-auth.js';
import type { AuthUser } from '../../types.js';
import type { MeterDirectory } from '../meters/meter-directory.js';
import type { AssignmentRow, AssignmentsRepository, SiteBilling } from './assignments-repository.js';
import { conflict, hasBegun, historyConflict } from './history.js';
import type { TariffsRepository } from './tariffs-repository.js';

/**
 * Which tariff a site, and a meter apart from its site, is billed on from which date: one timeline for the site and
 * one per meter, each appended in date order. An entry whose date has begun is history (history.ts).
 */
export class AssignmentsService {
  constructor(
    private readonly repo: AssignmentsRepository,
    private readonly tariffs: TariffsRepository,
    private readonly meters: MeterDirectory,
    private readonly now: () => number = Date.now,
  ) {}

  /** The site, when `actor` may see it; a site they may not see does not exist for them. */
  async site(actor: AuthUser, id: number): Promise<SiteBilling> {
    assertSiteVisible(actor, id);
    const site = await this.repo.site(id);
    if (!site) throw new ApiError(404, ErrorCode.NOT_FOUND, `no site with id ${id}`);
    return site;
  }

  private view = (a: AssignmentRow, now: number): TariffAssignment => ({
    ...a,
    in_effect: hasBegun(a.valid_from, now),
  });

  /** The site's assignments as stored (no visibility check: for the cost service, after its own). */
  timelines(siteId: number): Promise<AssignmentRow[]> {
    return this.repo.list(siteId);
  }

  async list(actor: AuthUser, siteId: number): Promise<TariffAssignmentsResponse> {
    const site = await this.site(actor, siteId);
    const now = this.now();
    return {
      site_id: site.id,
      site_name: site.name,
      time_zone: site.time_zone,
      currency: site.currency,
      assignments: (await this.repo.list(siteId)).map((a) => this.view(a, now)),
    };
  }

  async add(actor: AuthUser, siteId: number, a: TariffAssignmentWrite): Promise<TariffAssignment> {
    const site = await this.site(actor, siteId);
    const meterId = a.meter_id ?? null;
    if (meterId !== null) {
      const m = await this.meters.list({ siteIds: [siteId], meterIds: [meterId], includeInactive: true });
      if (m.length === 0)
        throw new ApiError(404, ErrorCode.NOT_FOUND, `no meter with id ${meterId} on site ${site.name} (id ${siteId})`);
    }
    if (a.tariff_id !== null) {
      const tariff = await this.tariffs.get(a.tariff_id);
      if (!tariff) throw new ApiError(404, ErrorCode.NOT_FOUND, `no tariff with id ${a.tariff_id}`);
      if (tariff.currency !== site.currency)
        throw conflict(
          `tariff "${tariff.name}" is in ${tariff.currency} and site ${site.name} bills in ${site.currency}: a site's costs are in one currency; choose a tariff in ${site.currency}`,
        );
    }
    const timeline = (await this.repo.list(siteId)).filter((x) => x.meter_id === meterId);
    const latest = timeline.at(-1);
    if (latest && a.valid_from <= latest.valid_from)
      throw conflict(
        `assignment dates out of order: the ${meterId === null ? 'site' : `meter ${meterId}`} is assigned from ${latest.valid_from} on; a new assignment must start after that, got ${a.valid_from}`,
      );
    const id = await this.repo.insert(siteId, { meterId, validFrom: a.valid_from, tariffId: a.tariff_id }, actor.id);
    if (id === undefined) throw conflict(`an assignment from ${a.valid_from} exists already`);
    const row = (await this.repo.list(siteId)).find((x) => x.id === id) as AssignmentRow;
    return this.view(row, this.now());
  }

  /** Withdraw an assignment that is not yet in force. */
  async delete(actor: AuthUser, siteId: number, id: number): Promise<void> {
    await this.site(actor, siteId);
    const row = (await this.repo.list(siteId)).find((x) => x.id === id);
    if (!row) throw new ApiError(404, ErrorCode.NOT_FOUND, `no tariff assignment with id ${id} on site ${siteId}`);
    if (hasBegun(row.valid_from, this.now())) throw historyConflict(`assignment ${id}`, row.valid_from);
    await this.repo.delete(siteId, id);
  }
}
