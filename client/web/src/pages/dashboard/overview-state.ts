import type { SiteHealth, SiteSummary } from '@meterit/shared';
import { oneOf } from '../../url-state';

// What the overview shows of the sites — search, status filter, sort, page — kept in the address's query string,
// so a reload or a shared link opens the same view. Pure, so it is tested without a browser.

export const STATUS_FILTERS = ['all', 'problems', 'offline', 'degraded', 'online', 'inactive'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

export const SORT_KEYS = ['status', 'site', 'heartbeat', 'backlog', 'meters', 'power', 'today'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDirection = 'asc' | 'desc';

export const PAGE_SIZES = [25, 50, 100] as const;
export type PageSize = (typeof PAGE_SIZES)[number];

export interface OverviewView {
  /** Words to find in a site's name or location (case-insensitive). */
  q: string;
  status: StatusFilter;
  sort: SortKey;
  dir: SortDirection;
  /** 0-based here, 1-based in the address. */
  page: number;
  perPage: PageSize;
}

/** Worst first: sorted by status, ascending. */
export const DEFAULT_VIEW: OverviewView = { q: '', status: 'all', sort: 'status', dir: 'asc', page: 0, perPage: 25 };

/** The view a query string asks for; anything unknown or malformed falls back to the default for that part. */
export function parseView(search: string): OverviewView {
  const p = new URLSearchParams(search);
  const page = Number(p.get('page'));
  return {
    q: (p.get('q') ?? '').slice(0, 200),
    status: oneOf(p.get('status'), STATUS_FILTERS, DEFAULT_VIEW.status),
    sort: oneOf(p.get('sort'), SORT_KEYS, DEFAULT_VIEW.sort),
    dir: oneOf(p.get('dir'), ['asc', 'desc'] as const, DEFAULT_VIEW.dir),
    page: Number.isInteger(page) && page >= 1 ? page - 1 : 0,
    perPage: oneOf(Number(p.get('per')), PAGE_SIZES, DEFAULT_VIEW.perPage),
  };
}

/** The query string of a view (`?…`, or '' for the default view), defaults left out so links stay short. */
export function viewSearch(v: OverviewView): string {
  const p = new URLSearchParams();
  if (v.q) p.set('q', v.q);
  if (v.status !== DEFAULT_VIEW.status) p.set('status', v.status);
  if (v.sort !== DEFAULT_VIEW.sort || v.dir !== DEFAULT_VIEW.dir) {
    p.set('sort', v.sort);
    p.set('dir', v.dir);
  }
  if (v.page > 0) p.set('page', String(v.page + 1));
  if (v.perPage !== DEFAULT_VIEW.perPage) p.set('per', String(v.perPage));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** Whether a site passes the status filter: "problems" is every site that needs someone (offline or degraded). */
export function matchesStatus(s: SiteSummary, f: StatusFilter): boolean {
  if (f === 'all') return true;
  if (f === 'problems') return s.status === 'offline' || s.status === 'degraded';
  return s.status === (f satisfies SiteHealth);
}

export function matchesSearch(s: SiteSummary, q: string): boolean {
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  const text = `${s.site_name} ${s.location ?? ''}`.toLowerCase();
  return words.every((w) => text.includes(w));
}

/**
 * "Worst" is the order the API gives (`worstFirst` in client/api's site-status.ts): offline, then degraded, then
 * online, then inactive; within a status the site with more reasons first; then by name. The page keeps that order
 * as the status sort rather than define a second one, so the dashboard, the API and the MCP tools agree.
 */
type Key = (s: SiteSummary, worstRank: number) => number | string | null;
const KEYS: Record<SortKey, Key> = {
  status: (_s, rank) => rank,
  site: (s) => s.site_name.toLowerCase(),
  // Seconds since the last heartbeat; a site never heard from is the oldest of all.
  heartbeat: (s) => s.heartbeat_age_s ?? Number.MAX_SAFE_INTEGER,
  backlog: (s) => s.backlog.readings,
  // The share of the configured meters that answer: the fewest answering first when ascending.
  meters: (s) =>
    s.meters.answering === null || s.meters.configured === 0 ? null : s.meters.answering / s.meters.configured,
  power: (s) => s.current_power_kw,
  today: (s) => s.energy_today_kwh,
};

/** Sorted by the view's column and direction; sites without a value last either way, ties worst first. */
export function sortSites(sites: SiteSummary[], sort: SortKey, dir: SortDirection): SiteSummary[] {
  const sign = dir === 'asc' ? 1 : -1;
  return sites
    .map((s, rank) => ({ s, rank, k: KEYS[sort](s, rank) }))
    .sort((a, b) => {
      if (a.k === null || b.k === null) return a.k === b.k ? a.rank - b.rank : a.k === null ? 1 : -1;
      const c =
        typeof a.k === 'string' && typeof b.k === 'string' ? a.k.localeCompare(b.k) : (a.k as number) - (b.k as number);
      return sign * c || a.rank - b.rank;
    })
    .map((x) => x.s);
}

export interface OverviewPage {
  /** After search and filter, before paging. */
  matching: number;
  rows: SiteSummary[];
  /** The page shown: the asked one, or the last one when fewer sites match now. */
  page: number;
}

/** `sites` in the API's (worst-first) order; the rows of the view's page. */
export function viewPage(sites: SiteSummary[], v: OverviewView): OverviewPage {
  const matching = sortSites(
    sites.filter((s) => matchesStatus(s, v.status) && matchesSearch(s, v.q)),
    v.sort,
    v.dir,
  );
  const last = Math.max(0, Math.ceil(matching.length / v.perPage) - 1);
  const page = Math.min(v.page, last);
  return { matching: matching.length, rows: matching.slice(page * v.perPage, (page + 1) * v.perPage), page };
}
