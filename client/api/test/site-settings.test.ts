import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateSiteResponseSchema,
  EmissionFactorsResponseSchema,
  MonthFactorResponseSchema,
  SitesResponseSchema,
  SiteStatusSchema,
  siteTimeZones,
  type MonthFactor,
} from '@meterit/shared';
import type { RunningClientApi } from '../src/index.js';
import { EmissionsService } from '../src/components/emissions/emissions-service.js';
import { emissionFactorAt } from '../src/components/emissions/emission-factors.js';
import { createSite, startTestApi, type TestSite } from './helpers.js';
import { ADMIN, as, createUser, login } from './operator-helpers.js';

// A site's energy settings (time zone, currency, floor area, emission factor) and its emission factors per month,
// through the operator API as the web app and the MCP server use it, against a real PostgreSQL.
let api: RunningClientApi;
let admin: string;
let operator: string;
let viewer: string;
let limitedToOther: string;
let other: TestSite;

beforeAll(async () => {
  api = await startTestApi({ adminEmail: ADMIN.email, adminPassword: ADMIN.password });
  admin = (await login(api, ADMIN.email, ADMIN.password)).access_token;
  other = await createSite(api, 'Some other site');
  operator = await createUser(api, 'operator@example.test', 'operator');
  viewer = await createUser(api, 'viewer@example.test', 'viewer');
  limitedToOther = await createUser(api, 'limited@example.test', 'viewer', [other.id]);
});
afterAll(async () => {
  await api?.close();
});

const errorOf = (json: unknown) => (json as { error: { code: string; message: string } }).error;
const siteRow = async (id: number) => api.db.knex('sites').where({ id }).first();
const SETTINGS = { time_zone: 'Europe/Berlin', currency: 'CHF', area_m2: 1250.5, co2_kg_per_kwh: 0.128 };

async function newSite(name: string, body: Record<string, unknown> = {}): Promise<number> {
  const res = await as(api, admin, 'POST', '/api/sites', { name, ...body });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  expect(CreateSiteResponseSchema.safeParse(res.json).success).toBe(true);
  return res.json.site_id as number;
}

describe('site energy settings', () => {
  it('when an admin creates a site with the four settings, then every operator sees them in the list, the site and its status', async () => {
    const created = await as(api, admin, 'POST', '/api/sites', { name: 'Zurich office', ...SETTINGS });
    expect(created.status).toBe(201);
    expect((created.json.site as Record<string, unknown>) ?? {}).toMatchObject(SETTINGS);
    const id = created.json.site_id as number;
    for (const token of [admin, operator, viewer]) {
      const list = await as(api, token, 'GET', '/api/sites');
      expect(SitesResponseSchema.safeParse(list.json).success).toBe(true);
      expect((list.json.sites as Array<{ site_id: number }>).find((s) => s.site_id === id)).toMatchObject(SETTINGS);
      expect((await as(api, token, 'GET', `/api/sites/${id}`)).json.site).toMatchObject(SETTINGS);
      const status = (await as(api, token, 'GET', `/api/sites/${id}/status`)).json;
      expect(SiteStatusSchema.safeParse(status).success).toBe(true);
      expect(status).toMatchObject(SETTINGS);
    }
  });

  it('when a site is created without them, then it is in UTC and EUR with no area and no factor', async () => {
    const id = await newSite('Plain site');
    expect((await as(api, viewer, 'GET', `/api/sites/${id}`)).json.site).toMatchObject({
      time_zone: 'UTC',
      currency: 'EUR',
      area_m2: null,
      co2_kg_per_kwh: null,
    });
  });

  it('when an admin edits some settings, then those change, the others stay, and null clears the area and the factor', async () => {
    const id = await newSite('Lyon depot', SETTINGS);
    const edited = await as(api, admin, 'PATCH', `/api/sites/${id}`, { time_zone: 'Europe/Paris', area_m2: 900 });
    expect(edited.status).toBe(200);
    expect(edited.json.site).toMatchObject({ ...SETTINGS, time_zone: 'Europe/Paris', area_m2: 900 });
    const cleared = await as(api, admin, 'PATCH', `/api/sites/${id}`, { area_m2: null, co2_kg_per_kwh: null });
    expect(cleared.json.site).toMatchObject({ time_zone: 'Europe/Paris', currency: 'CHF', area_m2: null });
    expect(await siteRow(id)).toMatchObject({ area_m2: null, co2_kg_per_kwh: null, name: 'Lyon depot' });
    // A factor of 0 (all renewable) is a factor, not "none".
    const zero = await as(api, admin, 'PATCH', `/api/sites/${id}`, { co2_kg_per_kwh: 0 });
    expect(zero.json.site).toMatchObject({ co2_kg_per_kwh: 0 });
  });

  it('when a time zone is given by another name of a zone, then the zone it names is stored', async () => {
    const id = await newSite('Portland plant', { time_zone: 'US/Pacific' });
    expect((await siteRow(id))?.time_zone).toBe('America/Los_Angeles');
    await as(api, admin, 'PATCH', `/api/sites/${id}`, { time_zone: 'europe/berlin' });
    expect((await siteRow(id))?.time_zone).toBe('Europe/Berlin');
  });

  const bad: Array<[string, Record<string, unknown>, RegExp]> = [
    ['a made-up time zone', { time_zone: 'Mars/Olympus_Mons' }, /time_zone must be an IANA time zone/],
    ['a UTC offset as time zone', { time_zone: '+01:00' }, /time_zone must be an IANA time zone/],
    ['an Etc/GMT zone (its sign is backwards)', { time_zone: 'Etc/GMT-1' }, /time_zone must be an IANA time zone/],
    ['an empty time zone', { time_zone: '' }, /time_zone must be 1 to 64 characters/],
    [
      'a lower-case currency',
      { currency: 'eur' },
      /currency must be an ISO 4217 currency code of three capital letters/,
    ],
    ['a currency that does not exist', { currency: 'XYZ' }, /currency "XYZ" is not an ISO 4217 currency code/],
    ['a currency symbol', { currency: '€' }, /currency must be an ISO 4217/],
    ['an area of 0', { area_m2: 0 }, /area_m2 must be the floor area in m², a number above 0/],
    ['a negative area', { area_m2: -20 }, /area_m2 must be the floor area in m², a number above 0/],
    ['an area as text', { area_m2: '1200' }, /area_m2 must be the floor area in m².*got the string "1200"/],
    ['a negative factor', { co2_kg_per_kwh: -0.1 }, /co2_kg_per_kwh must be kg CO₂e per kWh from 0 to 2/],
    ['a factor in grams', { co2_kg_per_kwh: 380 }, /most likely grams per kWh \(380 g\/kWh is 0\.38\)/],
    ['a factor as text', { co2_kg_per_kwh: '0.4' }, /co2_kg_per_kwh must be kg CO₂e per kWh.*got the string "0.4"/],
  ];
  for (const [what, body, message] of bad) {
    it(`when a site is created or edited with ${what}, then 400 says what is wrong and nothing changes`, async () => {
      const id = await newSite(`Target for ${what}`, SETTINGS);
      const sites = async () => JSON.stringify(await api.db.knex('sites').select('*').orderBy('id'));
      const before = await sites();
      const created = await as(api, admin, 'POST', '/api/sites', { name: `Refused: ${what}`, ...body });
      expect(created.status).toBe(400);
      expect(errorOf(created.json).code).toBe('VALIDATION_FAILED');
      expect(errorOf(created.json).message).toMatch(message);
      const edited = await as(api, admin, 'PATCH', `/api/sites/${id}`, body);
      expect(edited.status).toBe(400);
      expect(errorOf(edited.json).message).toMatch(message);
      expect(await sites()).toBe(before);
    });
  }

  it('when an operator or a viewer tries to change the settings, then 403 and nothing changes', async () => {
    const id = await newSite('Guarded site', SETTINGS);
    for (const token of [operator, viewer]) {
      expect((await as(api, token, 'PATCH', `/api/sites/${id}`, { currency: 'USD' })).status).toBe(403);
      expect((await as(api, token, 'POST', '/api/sites', { name: 'Not mine to make', ...SETTINGS })).status).toBe(403);
    }
    expect((await siteRow(id))?.currency).toBe('CHF');
  });

  it('when PostgreSQL is asked about every time zone the API accepts, then it knows each (the energy views count days in them)', async () => {
    const { rows } = await api.db.knex.raw<{ rows: { name: string }[] }>('SELECT name FROM pg_timezone_names');
    const known = new Set(rows.map((r) => r.name));
    expect(siteTimeZones().filter((z) => !known.has(z))).toEqual([]);
  });
});

describe('emission factors per month', () => {
  let siteId: number;
  const path = (month = '') => `/api/sites/${siteId}/emission-factors${month ? `/${month}` : ''}`;

  beforeAll(async () => {
    siteId = await newSite('Factor site', { time_zone: 'Europe/Berlin', co2_kg_per_kwh: 0.4 });
  });

  it('when an admin sets two months, then every user of the site reads them oldest first beside the constant factor', async () => {
    const march = await as(api, admin, 'PUT', path('2026-03'), { kg_per_kwh: 0.31 });
    expect(march.status).toBe(200);
    expect(MonthFactorResponseSchema.safeParse(march.json).success).toBe(true);
    expect(march.json.factor).toMatchObject({ month: '2026-03', kg_per_kwh: 0.31 });
    expect((await as(api, admin, 'PUT', path('2026-01'), { kg_per_kwh: 0.45 })).status).toBe(200);
    for (const token of [admin, operator, viewer]) {
      const list = await as(api, token, 'GET', path());
      expect(list.status).toBe(200);
      expect(EmissionFactorsResponseSchema.safeParse(list.json).success).toBe(true);
      expect(list.json).toMatchObject({ site_id: siteId, time_zone: 'Europe/Berlin', co2_kg_per_kwh: 0.4 });
      expect((list.json.months as MonthFactor[]).map((m) => [m.month, m.kg_per_kwh])).toEqual([
        ['2026-01', 0.45],
        ['2026-03', 0.31],
      ]);
    }
  });

  it('when a month is set again, then its factor changes and there is still one row for it', async () => {
    expect((await as(api, admin, 'PUT', path('2026-03'), { kg_per_kwh: 0.29 })).json.factor).toMatchObject({
      kg_per_kwh: 0.29,
    });
    const rows = await api.db.knex('site_emission_factors').where({ site_id: siteId });
    expect(rows.map((r: { kg_per_kwh: number }) => r.kg_per_kwh).sort()).toEqual([0.29, 0.45]);
  });

  it('when the energy views load the factors, then emissionFactorAt gives a month its own and every other month the constant', async () => {
    const factors = (await new EmissionsService(api.db.knex).factorsFor([siteId, other.id])).get(siteId)!;
    // 2026-02-28T23:30Z is already 1 March in Berlin: March's own factor.
    expect(emissionFactorAt(factors.site, factors.months, new Date('2026-02-28T23:30:00Z'))).toBe(0.29);
    expect(emissionFactorAt(factors.site, factors.months, new Date('2026-02-28T22:30:00Z'))).toBe(0.4);
    expect(emissionFactorAt(factors.site, factors.months, new Date('2026-01-15T12:00:00Z'))).toBe(0.45);
  });

  it('when an admin deletes a month, then the constant applies there again, and a second delete is 404', async () => {
    expect((await as(api, admin, 'DELETE', path('2026-01'))).status).toBe(204);
    const months = (await as(api, viewer, 'GET', path())).json.months as Array<{ month: string }>;
    expect(months.map((m) => m.month)).toEqual(['2026-03']);
    const again = await as(api, admin, 'DELETE', path('2026-01'));
    expect(again.status).toBe(404);
    expect(errorOf(again.json).message).toMatch(/has no emission factor of its own for 2026-01/);
  });

  it('when someone other than an admin writes a month, then 403 and nothing changes', async () => {
    for (const token of [operator, viewer]) {
      expect((await as(api, token, 'PUT', path('2026-05'), { kg_per_kwh: 0.2 })).status).toBe(403);
      expect((await as(api, token, 'DELETE', path('2026-03'))).status).toBe(403);
    }
    expect(await api.db.knex('site_emission_factors').where({ site_id: siteId })).toHaveLength(1);
  });

  it('when a user limited to another site asks for this site’s factors, then 404 as if it did not exist', async () => {
    const res = await as(api, limitedToOther, 'GET', path());
    expect(res.status).toBe(404);
    expect((await as(api, limitedToOther, 'GET', `/api/sites/${other.id}/emission-factors`)).status).toBe(200);
  });

  const bad: Array<[string, () => string, unknown, number, RegExp]> = [
    ['month 13', () => path('2026-13'), { kg_per_kwh: 0.3 }, 400, /month must be a month written YYYY-MM/],
    [
      'a whole date as month',
      () => path('2026-03-01'),
      { kg_per_kwh: 0.3 },
      400,
      /month must be a month written YYYY-MM/,
    ],
    ['a factor in grams', () => path('2026-04'), { kg_per_kwh: 420 }, 400, /most likely grams per kWh/],
    [
      'a negative factor',
      () => path('2026-04'),
      { kg_per_kwh: -1 },
      400,
      /kg_per_kwh must be kg CO₂e per kWh from 0 to 2/,
    ],
    ['no factor', () => path('2026-04'), {}, 400, /kg_per_kwh must be kg CO₂e per kWh/],
    ['an unknown field', () => path('2026-04'), { kg_per_kwh: 0.3, note: 'x' }, 400, /unknown field "note"/],
    [
      'a site that does not exist',
      () => '/api/sites/424242/emission-factors/2026-04',
      { kg_per_kwh: 0.3 },
      404,
      /no site with id 424242/,
    ],
  ];
  for (const [what, p, body, status, message] of bad) {
    it(`when an admin sets ${what}, then ${status} says what is wrong and nothing is stored`, async () => {
      const before = await api.db.knex('site_emission_factors').count<{ n: string }[]>('* as n');
      const res = await as(api, admin, 'PUT', p(), body);
      expect(res.status).toBe(status);
      expect(errorOf(res.json).message).toMatch(message);
      expect(await api.db.knex('site_emission_factors').count<{ n: string }[]>('* as n')).toEqual(before);
    });
  }
});
