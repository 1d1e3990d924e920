// What the tariff routes of the bad-input suite work on: a tariff billing site A (with coming versions to change and
// withdraw), a holiday calendar, and disposable ones that only the DELETE routes remove.
import { call } from './api-calls.js';
import type { Ctx, TariffIds } from './endpoint-spec.js';

/** One band covering every hour of every day kind: the smallest valid time-of-use table. */
export const flatBand = (price: number) => ({
  name: 'flat',
  price_per_kwh: price,
  hours: [{ day_kinds: ['weekday', 'weekend', 'holiday'], from_hour: 0, to_hour: 24 }],
});

/** A tariff version from `validFrom` with a flat band and every other price. */
export const tariffVersion = (validFrom: string) => ({
  valid_from: validFrom,
  bands: [flatBand(0.25)],
  demand_price_per_kw: 9.5,
  day_fee: 0.8,
  month_fee: 12,
  export_price_per_kwh: 0.07,
});

/**
 * The tariff of site A (in force since 2020, so GET /api/costs prices site A's readings), with versions from 2098-01-01
 * (PUT changes it) and 2098-06-01 (DELETE withdraws it): dates no site has reached, which may still change. A
 * meter assignment from 2098 that DELETE withdraws, and a calendar and tariff used by nothing, which DELETE removes.
 */
export async function tariffFixtures(base: string, admin: string, ctx: Ctx, meterDbIdsA: number[]): Promise<TariffIds> {
  const api = (method: string, p: string, body?: unknown) => call(base, method, p, { token: admin, body });
  const calendar = (await api('POST', '/api/holiday-calendars', {
    name: 'Calendar of the bad-input suite',
    dates: ['2098-12-25'],
  })) as { calendar: { id: number } };
  const spareCalendar = (await api('POST', '/api/holiday-calendars', {
    name: 'Calendar deleted by the bad-input suite',
    dates: [],
  })) as { calendar: { id: number } };
  const tariff = (await api('POST', '/api/tariffs', {
    name: 'Tariff of the bad-input suite',
    currency: 'EUR',
    holiday_calendar_id: calendar.calendar.id,
    versions: [tariffVersion('2020-01-01'), tariffVersion('2098-01-01'), tariffVersion('2098-06-01')],
  })) as { tariff: { id: number; versions: { id: number }[] } };
  const spareTariff = (await api('POST', '/api/tariffs', {
    name: 'Tariff deleted by the bad-input suite',
    currency: 'EUR',
    versions: [tariffVersion('2020-01-01')],
  })) as { tariff: { id: number } };
  await api('POST', `/api/sites/${ctx.siteA.id}/tariffs`, { tariff_id: tariff.tariff.id, valid_from: '2020-01-01' });
  const spareAssignment = (await api('POST', `/api/sites/${ctx.siteA.id}/tariffs`, {
    tariff_id: null,
    valid_from: '2098-01-01',
    meter_id: meterDbIdsA[0],
  })) as { assignment: { id: number } };
  const [, future, withdrawn] = tariff.tariff.versions;
  return {
    tariffId: tariff.tariff.id,
    futureVersionId: future!.id,
    deletableVersionId: withdrawn!.id,
    deletableTariffId: spareTariff.tariff.id,
    calendarId: calendar.calendar.id,
    deletableCalendarId: spareCalendar.calendar.id,
    deletableAssignmentId: spareAssignment.assignment.id,
  };
}
