import { describe, expect, it } from 'vitest';
import type { SiteSummary } from '@meterit/shared';
import { DEFAULT_VIEW, parseView, viewPage, viewSearch } from '../src/pages/dashboard/overview-state';

const site = (id: number, name: string, status: SiteSummary['status'], extra: Partial<SiteSummary> = {}) =>
  ({
    site_id: id,
    site_name: name,
    location: null,
    status,
    is_active: status !== 'inactive',
    reasons: [],
    heartbeat_age_s: 10,
    backlog: { readings: 0, oldest_unsent_at: null, age_s: null, growing: null },
    meters: { configured: 10, answering: 10, failing: 0, never_answered: 0 },
    current_power_kw: null,
    energy_today_kwh: null,
    ...extra,
  }) as SiteSummary;

// In the API's order: worst first.
const SITES = [
  site(1, 'Depot', 'offline', { heartbeat_age_s: null }),
  site(2, 'Airport', 'degraded', { location: 'Zürich', current_power_kw: 5 }),
  site(3, 'Bakery', 'online', { current_power_kw: 20 }),
  site(4, 'Cinema', 'online', { location: 'Zürich Nord', current_power_kw: 1 }),
];
const names = (v: Partial<typeof DEFAULT_VIEW>) =>
  viewPage(SITES, { ...DEFAULT_VIEW, ...v }).rows.map((s) => s.site_name);

describe('when an operator searches, filters, sorts and pages the overview', () => {
  it('then the default is worst first, each part narrows or orders as asked, and empty values sort last both ways', () => {
    expect(names({})).toEqual(['Depot', 'Airport', 'Bakery', 'Cinema']);
    expect(names({ status: 'problems' })).toEqual(['Depot', 'Airport']);
    expect(names({ status: 'online' })).toEqual(['Bakery', 'Cinema']);
    expect(names({ q: 'zürich' })).toEqual(['Airport', 'Cinema']);
    expect(names({ q: 'zürich nord' })).toEqual(['Cinema']);
    expect(names({ sort: 'site' })).toEqual(['Airport', 'Bakery', 'Cinema', 'Depot']);
    expect(names({ sort: 'power', dir: 'desc' })).toEqual(['Bakery', 'Airport', 'Cinema', 'Depot']);
    expect(names({ sort: 'power', dir: 'asc' })).toEqual(['Cinema', 'Airport', 'Bakery', 'Depot']);
    expect(names({ sort: 'status', dir: 'desc' })).toEqual(['Cinema', 'Bakery', 'Airport', 'Depot']);
    // A site never heard from has the oldest heartbeat.
    expect(names({ sort: 'heartbeat', dir: 'desc' })[0]).toBe('Depot');
  });

  it('then the view survives the address both ways, junk in the address falls back to the default, and a page past the end shows the last', () => {
    const view = { q: 'a b', status: 'offline', sort: 'power', dir: 'desc', page: 1, perPage: 50 } as const;
    expect(viewSearch(view)).toBe('?q=a+b&status=offline&sort=power&dir=desc&page=2&per=50');
    expect(parseView(viewSearch(view))).toEqual(view);
    expect(viewSearch(DEFAULT_VIEW)).toBe('');
    expect(parseView('?status=nope&sort=x&dir=up&page=-3&per=7')).toEqual(DEFAULT_VIEW);
    const past = viewPage(SITES, { ...DEFAULT_VIEW, page: 9 });
    expect(past.page).toBe(0);
    expect(past.rows).toHaveLength(4);
  });
});
