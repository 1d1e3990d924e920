import type { ToolDeps } from '../context.js';
import type { ReadingsQuery } from '../operations.js';
import { visibleSites } from '../context.js';
import { resolveRange } from '../time.js';

/** What a readings or consumption query asks for, before the range and the scope are checked. */
export interface WindowArgs {
  site_ids?: number[] | undefined;
  meter_id?: number | undefined;
  data_point?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** The part of a readings or consumption query (ReadingsQuery, ConsumptionQuery) queryWindow settles. */
export type WindowQuery = Pick<ReadingsQuery, 'siteIds' | 'meterId' | 'dataPoint' | 'from' | 'to'>;

/**
 * The range (with its default and longest span) and the scope of a query, as the API's query takes them;
 * or the problem in words (`rangeHint` follows a range problem).
 */
export async function queryWindow(
  deps: ToolDeps,
  args: WindowArgs,
  limits: { defaultMs: number; maxDays: number; rangeHint?: string },
): Promise<{ query: WindowQuery; meterName?: string } | { problem: string }> {
  const range = resolveRange(args, deps.now(), limits.defaultMs, limits.maxDays);
  if ('problem' in range) return { problem: limits.rangeHint ? `${range.problem} ${limits.rangeHint}` : range.problem };
  const scope = await scopeOf(deps, args.site_ids, args.meter_id);
  if ('problem' in scope) return scope;
  const query = { siteIds: scope.siteIds, meterId: scope.meterId, dataPoint: args.data_point, ...range };
  return scope.meterName === undefined ? { query } : { query, meterName: scope.meterName };
}

/**
 * The site filter for a query, narrowed to the caller's sites; a meter filter pins the meter's own
 * site (so the readings primary key is used). A meter on a site the caller may not see does not exist.
 */
export async function scopeOf(
  deps: ToolDeps,
  siteIds: number[] | undefined,
  meterId: number | undefined,
): Promise<{ siteIds: number[] | null; meterId?: number; meterName?: string } | { problem: string }> {
  const visible = visibleSites(deps.user, siteIds);
  if (meterId === undefined) return { siteIds: visible };
  const [m] = await deps.ops.meters(
    { siteIds: visible, meterIds: [meterId], includeInactive: true },
    new Date(deps.now()),
  );
  if (!m)
    return {
      problem: `No meter with id ${meterId}${siteIds ? ' on the given sites' : ''}. query_meters lists the meters you may see.`,
    };
  return { siteIds: [m.site_id], meterId, meterName: `${m.site_name} / ${m.name}` };
}
