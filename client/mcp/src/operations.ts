// What the client MCP server needs from the running client API. The API implements this with its
// own services (SiteDirectory, MeterDirectory, ReadingsService, the alert engine), so an assistant
// and the web app see the same figures and no query is written twice. Types only: this package
// never imports the API (no dependency cycle); the API's typecheck proves its implementation fits.
import type {
  BillingPeriod,
  CostBreakdownResponse,
  AlertInfo,
  AlertRuleInfo,
  AlertRuleWrite,
  ConsumptionInterval,
  ConsumptionResponse,
  MeterSummary,
  NotificationInfo,
  ReadingAgg,
  ReadingBucket,
  ReadingsResponse,
  SiteStatus,
  UserRole,
} from '@meterit/shared';

/** The person behind the bearer token (a web-app access token or a personal MCP token). */
export interface McpUser {
  id: number;
  email: string;
  role: UserRole;
  /** null = every site; otherwise the only sites this user may see, in every tool. */
  siteIds: number[] | null;
}

export interface MeterQuery {
  /** Already narrowed to what the caller may see (null = every site). */
  siteIds: number[] | null;
  meterIds?: number[] | undefined;
  search?: string | undefined;
  includeInactive: boolean;
}

export interface ReadingsQuery {
  siteIds: number[] | null;
  meterId?: number | undefined;
  dataPoint?: string | undefined;
  from: Date;
  to: Date;
  bucket: ReadingBucket;
  agg: ReadingAgg;
  tz: string;
  limit: number;
}

export interface ConsumptionQuery {
  siteIds: number[] | null;
  meterId?: number | undefined;
  dataPoint?: string | undefined;
  from: Date;
  to: Date;
  interval: ConsumptionInterval;
  tz: string;
  gapSeconds: number;
}

/** A site's (or one of its meters') costs per billing period, as GET /api/costs answers them. */
export interface CostQuery {
  siteId: number;
  meterId?: number | undefined;
  /** Left out: the start of the month (site's time zone) that `to` is in. */
  from?: Date | undefined;
  /** Left out: now. */
  to?: Date | undefined;
  period: BillingPeriod;
  /** Also every priced quarter hour. */
  intervals: boolean;
}

/** Readings stored per active meter over a period, and since when the meter exists (for data completeness). */
export interface ReadingCount {
  site_id: number;
  meter_id: number;
  readings: number;
  /** The meter's creation in the client system, or its first reading if that is earlier (readings a site kept while offline). */
  since: Date;
}

/** The alert engine as the tools need it (the API's AlertsService); it applies the actor's role and sites itself. */
export interface AlertOperations {
  /** Firing (and, unless includePending is false, pending) alerts the actor may see, worst first. */
  listActive(actor: McpUser, f: { includePending: boolean }): Promise<AlertInfo[]>;
  /** Alerts that fired and were active at some time in [from, to], on the sites the actor may see. */
  inPeriod(actor: McpUser, f: { from: Date; to: Date; limit: number }): Promise<AlertInfo[]>;
  /** Create (no id) or edit (id) a rule. */
  configureRule(input: AlertRuleWrite & { id?: number }, actor: McpUser): Promise<AlertRuleInfo>;
  /** An e-mail through the alert outbox (sent by SMTP, or recorded when none is configured). */
  sendEmail(mail: { to: string[]; subject: string; body: string }, actor: McpUser): Promise<NotificationInfo>;
}

export interface ClientOperations {
  /** Site statuses (online/degraded/offline/inactive with reasons), worst first. */
  siteStatuses(siteIds: number[] | null, includeInactive: boolean, now: Date): Promise<SiteStatus[]>;
  meters(q: MeterQuery, now: Date): Promise<MeterSummary[]>;
  readings(q: ReadingsQuery): Promise<ReadingsResponse>;
  consumption(q: ConsumptionQuery): Promise<ConsumptionResponse>;
  readingCounts(siteIds: number[] | null, from: Date, to: Date): Promise<ReadingCount[]>;
  /** Costs of a site the actor may see (another site does not exist for them: a 404 error). */
  costs(actor: McpUser, q: CostQuery): Promise<CostBreakdownResponse>;
  /** null when alerting is not available in this version. */
  alerts: AlertOperations | null;
}
