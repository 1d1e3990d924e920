import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CostBreakdownArgsSchema, CostBreakdownResponseSchema, type CostBreakdownResponse } from '@meterit/shared';
import { answer, guarded, round, READ_ONLY_TOOL, type ToolDeps } from '../context.js';

export const GET_COST_BREAKDOWN = 'get_cost_breakdown';

const money = (v: number, currency: string) => `${round(v, 2).toFixed(2)} ${currency}`;

/** The answer in words: one line per billing period and tariff, what made up its total. */
function summary(c: CostBreakdownResponse): string {
  const who = c.meter_name ? `${c.site_name} / ${c.meter_name}` : c.site_name;
  const lines = [
    `Costs of ${who} from ${c.from} to ${c.to} (${c.time_zone}): ${money(c.total.total, c.currency)} for ${round(c.total.import_kwh)} kWh` +
      (c.total.export_kwh ? `, ${round(c.total.export_kwh)} kWh fed in` : '') +
      (c.total.unpriced_kwh ? `; ${round(c.total.unpriced_kwh)} kWh had no tariff and are in no amount` : '') +
      (c.total.estimated_kwh ? `; ${round(c.total.estimated_kwh)} kWh estimated across gaps in the readings` : '') +
      '.',
  ];
  for (const p of c.periods) {
    lines.push(`- ${p.from.slice(0, 10)} to ${p.to.slice(0, 10)}: ${money(p.total, c.currency)}`);
    for (const t of p.tariffs) {
      const bands = t.energy.map((b) => `${b.band} ${round(b.kwh)} kWh × ${b.price_per_kwh}`).join(', ');
      const peak = t.demand ? `; demand ${round(t.demand.kw)} kW × ${t.demand.price_per_kw} at ${t.demand.at}` : '';
      lines.push(
        `  ${t.tariff_name}: energy ${money(t.energy_cost, c.currency)} (${bands || 'none'})${peak}; fees ${money(t.fixed_fees, c.currency)}; export credit ${money(t.export_credit, c.currency)}`,
      );
    }
  }
  return lines.join('\n');
}

export function registerGetCostBreakdownTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    GET_COST_BREAKDOWN,
    {
      title: 'Cost breakdown',
      description:
        "What a site's energy cost (or one meter's share), per billing month or quarter in the site's time zone and currency: " +
        'energy per time-of-use band and tariff version, the demand charge on the highest 15-minute kW with its time, day and month fees, ' +
        'export credit and the total. Answers "what did site X cost last month, and why". Default: this month so far.',
      inputSchema: CostBreakdownArgsSchema,
      outputSchema: CostBreakdownResponseSchema,
      annotations: READ_ONLY_TOOL,
    },
    async (args) =>
      guarded(deps, GET_COST_BREAKDOWN, async () => {
        const c = await deps.ops.costs(deps.user, {
          siteId: args.site_id,
          meterId: args.meter_id,
          from: args.from === undefined ? undefined : new Date(args.from),
          to: args.to === undefined ? undefined : new Date(args.to),
          period: args.period,
          intervals: false,
        });
        return answer(summary(c), c);
      }),
  );
}
