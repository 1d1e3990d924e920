import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  ALERT_RULE_KINDS,
  ALERT_SEVERITIES,
  AlertInfoSchema,
  AlertRuleInfoSchema,
  NotificationInfoSchema,
  type AlertRuleWrite,
} from '@meterit/shared';
import {
  answer,
  guarded,
  refuseViewer,
  shortTime,
  toolError,
  visibleSites,
  READ_ONLY_TOOL,
  type ToolDeps,
} from '../context.js';
import { sitesInput, textInput } from '../schemas.js';

export const LIST_ACTIVE_ALERTS = 'list_active_alerts';
export const CONFIGURE_ALERT_RULES = 'configure_alert_rules';
export const SEND_ALERT_EMAIL = 'send_alert_email';

export const ALERTING_UNAVAILABLE =
  'alerting is not available in this version of the client system (no alert engine runs in it); nothing was read, changed or sent.';

const listInput = z.object({
  site_ids: sitesInput,
  severity: z.enum(ALERT_SEVERITIES).optional().describe('Only alerts of this severity: critical, warning or info'),
  include_pending: z
    .boolean()
    .default(true)
    .describe('Also alerts whose condition is met but not yet held long enough (default true)'),
  limit: z
    .number()
    .int()
    .min(1)
    .max(500)
    .default(100)
    .describe('Most alerts to return, worst first (1 to 500, default 100)'),
});
const listOutput = z.object({
  count: z.number(),
  matched: z.number(),
  by_severity: z.record(z.string(), z.number()),
  alerts: z.array(AlertInfoSchema),
});

export function registerListActiveAlertsTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    LIST_ACTIVE_ALERTS,
    {
      title: 'Active alerts',
      description:
        'Alerts the running alert engine has raised and that are not resolved (firing, and pending unless include_pending is false), on the sites you may see ' +
        '(plus alerts about the client system itself), firing first: rule, site, meter, severity, what is wrong, the value against the threshold, since when, and who acknowledged it.',
      inputSchema: listInput,
      outputSchema: listOutput,
      annotations: READ_ONLY_TOOL,
    },
    async (args) =>
      guarded(deps, LIST_ACTIVE_ALERTS, async () => {
        const engine = deps.ops.alerts;
        if (!engine) return toolError(`${LIST_ACTIVE_ALERTS}: ${ALERTING_UNAVAILABLE}`);
        let list = await engine.listActive(deps.user, { includePending: args.include_pending });
        if (args.site_ids) list = list.filter((a) => a.site_id !== null && args.site_ids?.includes(a.site_id));
        if (args.severity) list = list.filter((a) => a.severity === args.severity);
        const bySeverity: Record<string, number> = {};
        for (const a of list) bySeverity[a.severity] = (bySeverity[a.severity] ?? 0) + 1;
        const shown = list.slice(0, args.limit);
        const lines = [
          list.length === 0
            ? 'No active alerts on the sites you may see.'
            : `${list.length} active alerts: ${Object.entries(bySeverity)
                .map(([s, n]) => `${n} ${s}`)
                .join(', ')}.`,
          ...shown
            .slice(0, 20)
            .map(
              (a) =>
                `- [${a.severity}${a.state === 'pending' ? ', pending' : ''}] ${a.site_name ?? 'client system'}${a.meter_name ? ` / ${a.meter_name}` : ''}: ${a.title} (since ${shortTime(a.since)}; rule "${a.rule_name}")`,
            ),
        ];
        return answer(lines.join('\n'), {
          count: shown.length,
          matched: list.length,
          by_severity: bySeverity,
          alerts: shown,
        });
      }),
  );
}

const ruleInput = z.object({
  id: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('Change this existing rule (id from the web app or an earlier call); omit to create a new rule'),
  kind: z
    .enum(ALERT_RULE_KINDS)
    .optional()
    .describe(
      'For a new rule: threshold (a data point above / below / outside limits), no_data (minutes without a reading) or daily_energy (kWh since local midnight). ' +
        'The built-in kinds (heartbeat_missing, uplink_down, meter_unreachable, backlog_size, queue_full, database_down, api_error_rate) exist once each: change them by id',
    ),
  name: textInput()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .describe('A name people recognise, e.g. "Main incomer over 250 kW" (required for a new rule)'),
  enabled: z.boolean().optional().describe('false keeps the rule but stops it raising alerts'),
  severity: z.enum(ALERT_SEVERITIES).optional().describe('critical, warning or info'),
  scope: z
    .enum(['all', 'site', 'meter'])
    .optional()
    .describe('What the rule watches: every site, one site (site_id) or one meter (meter_id)'),
  site_id: z.number().int().min(1).nullable().optional().describe('The site (for scope site)'),
  meter_id: z
    .number()
    .int()
    .min(1)
    .nullable()
    .optional()
    .describe('The meter, client-system id from query_meters (for scope meter)'),
  data_point: textInput()
    .trim()
    .min(1)
    .max(100)
    .nullable()
    .optional()
    .describe('For threshold rules: the data point, e.g. "current_kw"'),
  condition: z
    .enum(['above', 'below', 'outside'])
    .nullable()
    .optional()
    .describe('For threshold rules: above threshold, below threshold, or outside threshold..threshold_high'),
  threshold: z
    .number()
    .finite()
    .nullable()
    .optional()
    .describe(
      "The limit in the kind's unit (the data point's unit, minutes, readings, % or kWh); null on a built-in rule = the environment default",
    ),
  threshold_high: z.number().finite().nullable().optional().describe('For condition outside: the upper limit'),
  for_seconds: z
    .number()
    .int()
    .min(0)
    .max(604_800)
    .optional()
    .describe('How long the condition must hold before the alert fires (0 to 604800 s)'),
  cooldown_seconds: z
    .number()
    .int()
    .min(0)
    .max(604_800)
    .nullable()
    .optional()
    .describe('Least time between two e-mails for the same subject (null = the default)'),
  recipients: z
    .array(z.email().describe('An e-mail address'))
    .max(20)
    .optional()
    .describe('Who is e-mailed when it fires and resolves (at most 20 addresses)'),
});
const ruleOutput = z.object({ created: z.boolean(), rule: AlertRuleInfoSchema });

export function registerConfigureAlertRulesTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    CONFIGURE_ALERT_RULES,
    {
      title: 'Configure an alert rule',
      description:
        'Create an alert rule (kind + name + what the kind needs), or change any rule by id, including the built-in ones (threshold, enabled, severity, duration, recipients). ' +
        'The running alert engine uses it from its next evaluation. Needs the operator or admin role; only on sites you may see, and a rule ' +
        'that covers every site (all built-in ones) only if you may see every site.',
      inputSchema: ruleInput,
      outputSchema: ruleOutput,
      // Destructive: a change can disable a rule or raise its threshold, and so silence alerts. Not idempotent: each create makes a new rule.
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    },
    async (args, extra) =>
      refuseViewer(deps, CONFIGURE_ALERT_RULES, extra.requestId) ??
      guarded(deps, CONFIGURE_ALERT_RULES, async () => {
        const engine = deps.ops.alerts;
        if (!engine) return toolError(`${CONFIGURE_ALERT_RULES}: ${ALERTING_UNAVAILABLE}`);
        if (args.id === undefined && (!args.kind || !args.name))
          return toolError('A new rule needs kind and name (or give the id of a rule to change).');
        if (
          typeof args.site_id === 'number' &&
          (await deps.ops.siteStatuses(visibleSites(deps.user, [args.site_id]), true, new Date(deps.now()))).length ===
            0
        ) {
          return toolError(
            `site_id: there is no site with id ${args.site_id} (or none you may see); get_site_status lists the sites. Nothing was changed.`,
          );
        }
        const input = Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined)) as AlertRuleWrite & {
          id?: number;
        };
        const rule = await engine.configureRule(input, deps.user);
        const limit =
          rule.effective_threshold === null
            ? ''
            : ` at ${rule.condition ? `${rule.condition} ` : ''}${rule.effective_threshold}${rule.unit ? ` ${rule.unit}` : ''}`;
        return answer(
          `${args.id === undefined ? 'Created' : 'Updated'} alert rule "${rule.name}" (id ${rule.id}, ${rule.kind}${limit}, ${rule.severity}), ${rule.enabled ? 'enabled' : 'disabled'}${rule.for_seconds ? `, after ${rule.for_seconds} s` : ''}.`,
          { created: args.id === undefined, rule },
        );
      }),
  );
}

const emailInput = z.object({
  to: z.array(z.email().describe('An e-mail address')).min(1).max(20).describe('Recipients (1 to 20 e-mail addresses)'),
  subject: textInput()
    .trim()
    .min(1)
    .max(200)
    .describe('Subject line (at most 200 characters; "[MeterIT]" is put in front)'),
  body: textInput()
    .trim()
    .min(1)
    .max(20_000)
    .describe('Plain-text message (at most 20000 characters), e.g. the text of generate_report'),
});
const emailOutput = NotificationInfoSchema.pick({
  id: true,
  recipients: true,
  subject: true,
  sent_at: true,
  last_error: true,
}).extend({
  id: NotificationInfoSchema.shape.id.describe('The outbox entry'),
  status: NotificationInfoSchema.shape.status.describe(
    'sent; recorded (no SMTP configured: kept in the outbox instead); pending/retrying (the mail server did not accept it yet); failed',
  ),
});

export function registerSendAlertEmailTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    SEND_ALERT_EMAIL,
    {
      title: 'Send an alert e-mail',
      description:
        "Send a plain-text e-mail through the client system's alert outbox and mail server (SMTP_URL), e.g. to forward a report or warn a site. " +
        'Without a configured mail server it is recorded in the outbox instead of sent, and the answer says so. Needs the operator or admin role.',
      inputSchema: emailInput,
      outputSchema: emailOutput,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    async (args, extra) =>
      refuseViewer(deps, SEND_ALERT_EMAIL, extra.requestId) ??
      guarded(deps, SEND_ALERT_EMAIL, async () => {
        const engine = deps.ops.alerts;
        if (!engine) return toolError(`${SEND_ALERT_EMAIL}: ${ALERTING_UNAVAILABLE}`);
        const n = await engine.sendEmail({ to: args.to, subject: args.subject, body: args.body }, deps.user);
        const what =
          n.status === 'sent'
            ? `sent to ${n.recipients.join(', ')}`
            : n.status === 'recorded'
              ? 'recorded in the outbox but not sent: no mail server is configured (SMTP_URL)'
              : `${n.status}${n.last_error ? ` (${n.last_error})` : ''}; the outbox retries it`;
        return answer(`E-mail "${n.subject}" ${what}.`, {
          id: n.id,
          status: n.status,
          recipients: n.recipients,
          subject: n.subject,
          sent_at: n.sent_at,
          last_error: n.last_error,
        });
      }),
  );
}
