import type { Knex } from 'knex';
import { ErrorCode, type EmissionFactorsResponse, type MonthFactor } from '@meterit/shared';
import { ApiError } from '../../errors.js';
import type { EmissionSite, MonthEmissionFactor } from './emission-factors.js';
import { EmissionsRepository } from './emissions-repository.js';

/** A site's factors as emissionFactorAt takes them. */
export interface SiteEmissionFactors {
  site: EmissionSite;
  months: MonthEmissionFactor[];
}

const noSite = (id: number) => new ApiError(404, ErrorCode.NOT_FOUND, `no site with id ${id}`);
const stripSite = ({ site_id: _site, ...f }: MonthFactor & { site_id: number }): MonthFactor => f;

/** Sites' emission factors: the constant one and each month's own (admins write the months; everyone reads). */
export class EmissionsService {
  private readonly repo: EmissionsRepository;

  constructor(knex: Knex) {
    this.repo = new EmissionsRepository(knex);
  }

  /** What the energy views load once per answer, by site id (sites that do not exist are missing). */
  async factorsFor(siteIds: number[]): Promise<Map<number, SiteEmissionFactors>> {
    const [sites, months] = await Promise.all([this.repo.sites(siteIds), this.repo.monthFactors(siteIds)]);
    const out = new Map<number, SiteEmissionFactors>();
    for (const [id, site] of sites) out.set(id, { site, months: [] });
    for (const m of months) out.get(m.site_id)?.months.push({ month: m.month, kg_per_kwh: m.kg_per_kwh });
    return out;
  }

  async list(siteId: number): Promise<EmissionFactorsResponse> {
    const [sites, months] = await Promise.all([this.repo.sites([siteId]), this.repo.monthFactors([siteId])]);
    const site = sites.get(siteId);
    if (!site) throw noSite(siteId);
    return { site_id: siteId, ...site, months: months.map(stripSite) };
  }

  async set(siteId: number, month: string, kgPerKwh: number): Promise<MonthFactor> {
    if (!(await this.repo.sites([siteId])).has(siteId)) throw noSite(siteId);
    return stripSite(await this.repo.upsert(siteId, month, kgPerKwh));
  }

  async remove(siteId: number, month: string): Promise<void> {
    if (!(await this.repo.sites([siteId])).has(siteId)) throw noSite(siteId);
    if (!(await this.repo.remove(siteId, month)))
      throw new ApiError(404, ErrorCode.NOT_FOUND, `site ${siteId} has no emission factor of its own for ${month}`);
  }
}
