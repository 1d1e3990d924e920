import type { ToolDeps } from '../context.js';
import { visibleSites } from '../context.js';

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
