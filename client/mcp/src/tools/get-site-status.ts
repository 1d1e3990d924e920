import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SiteStatusSchema, utcTime, type SiteStatus } from '@meterit/shared';
import { answer, guarded, shortTime, visibleSites, READ_ONLY_TOOL, type ToolDeps } from '../context.js';
import { sitesInput, textInput } from '../schemas.js';

export const GET_SITE_STATUS = 'get_site_status';

const input = z.object({
  site_ids: sitesInput,
  site_name: textInput()
    .trim()
    .min(1)
    .max(255)
    .optional()
    .describe('Only sites whose name contains this text (case-insensitive), e.g. "Warehouse"'),
  include_inactive: z.boolean().default(false).describe('Also list deactivated sites (default false)'),
});

const output = z.object({
  now: utcTime,
  counts: z.object({ online: z.number(), degraded: z.number(), offline: z.number(), inactive: z.number() }),
  sites: z.array(SiteStatusSchema).describe('Worst first: offline, degraded, online, inactive'),
});

/** One line an assistant can quote for a site. */
export function statusLine(s: SiteStatus): string {
  const meters =
    s.meters.answering === null
      ? `${s.meters.configured} meters configured`
      : `${s.meters.answering} of ${s.meters.configured} meters answering`;
  const backlog =
    s.backlog.readings === null
      ? ''
      : `; backlog ${s.backlog.readings} readings${s.backlog.age_s ? ` (oldest ${Math.round(s.backlog.age_s / 60)} min)` : ''}`;
  const why = s.reasons.length > 0 ? ` — ${s.reasons.join('; ')}` : '';
  return `${s.site_name} (id ${s.site_id}, in ${s.time_zone}, ${s.currency}): ${s.status.toUpperCase()}${why}. ${meters}${backlog}; last heartbeat ${shortTime(s.last_heartbeat_at)}.`;
}

export function registerGetSiteStatusTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    GET_SITE_STATUS,
    {
      title: 'Site status',
      description:
        'Is a site healthy, and if not, why: for one or every site you may see, the status (online / degraded / offline / inactive) with every reason in words, ' +
        'the last heartbeat, whether the agent collects, its backlog of unsent readings and its age, dead letters, uplink, clock offset, and how many meters answer; ' +
        'and its energy settings: time zone, currency, floor area (m²) and CO₂ emission factor (kg CO₂e/kWh). Worst first.',
      inputSchema: input,
      outputSchema: output,
      annotations: READ_ONLY_TOOL,
    },
    async (args) =>
      guarded(deps, GET_SITE_STATUS, async () => {
        const now = new Date(deps.now());
        let sites = await deps.ops.siteStatuses(visibleSites(deps.user, args.site_ids), args.include_inactive, now);
        if (args.site_name) {
          const needle = args.site_name.toLowerCase();
          sites = sites.filter((s) => s.site_name.toLowerCase().includes(needle));
        }
        const counts = { online: 0, degraded: 0, offline: 0, inactive: 0 };
        for (const s of sites) counts[s.status] += 1;
        const head =
          sites.length === 0
            ? 'No matching site (or none you may see).'
            : `${sites.length} site${sites.length === 1 ? '' : 's'}: ${counts.online} online, ${counts.degraded} degraded, ${counts.offline} offline${counts.inactive ? `, ${counts.inactive} inactive` : ''}.`;
        return answer([head, ...sites.map(statusLine)].join('\n'), { now: now.toISOString(), counts, sites });
      }),
  );
}
