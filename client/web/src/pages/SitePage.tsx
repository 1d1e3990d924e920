import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  Chip,
  MenuItem,
  Paper,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import { useMemo, useState } from 'react';
import type {
  ConnectivityResponse,
  ConsumptionResponse,
  MeterSummary,
  MetersResponse,
  ReadingAgg,
  ReadingsResponse,
  SiteSummary,
} from '@meterit/shared';
import { api, downloadCsv, errorText } from '../api/client';
import { useConnection } from '../api/connection';
import { BacklogChart, ChartCaption, ConsumptionChart, ReadingsChart } from '../components/Charts';
import { Link } from '../components/Link';
import { MeterDialog } from '../components/MeterDialog';
import { AggSelect, BucketSelect, RangeSelect, type BucketChoice } from '../components/RangeControls';
import { EmptyState, Loadable } from '../components/StateViews';
import { MeterStatusChip, SiteStatusChip } from '../components/StatusChip';
import { usePoll } from '../components/usePoll';
import { ActiveAlerts } from '../components/ActiveAlerts';
import { CommissioningPanel } from '../components/CommissioningPanel';
import {
  autoBucket,
  fmtAgo,
  leftOutText,
  fmtDateTime,
  fmtDuration,
  fmtNumber,
  fmtValue,
  localMidnight,
  RANGES,
  viewerTimeZone,
  type RangeKey,
} from '../format';
import { can, useAuth } from '../store/auth';

function Fact({
  label,
  value,
  title,
  note,
}: {
  label: string;
  value: string;
  title?: string;
  note?: string | undefined;
}) {
  return (
    <Box title={title} sx={{ minWidth: 130 }} data-testid={`fact-${label}`}>
      <Typography variant="caption" color="text.secondary">
        {label}
      </Typography>
      <Typography sx={{ fontWeight: 600 }}>{value}</Typography>
      {note ? (
        <Typography variant="caption" color="warning.main" component="div" sx={{ maxWidth: 220 }}>
          {note}
        </Typography>
      ) : null}
    </Box>
  );
}

function SiteHeader({ site, updatedAt }: { site: SiteSummary; updatedAt: Date | undefined }) {
  const lost = useConnection((s) => s.lost);
  const leftOut = leftOutText(site);
  return (
    <Card variant="outlined" sx={{ mb: 3 }}>
      <CardContent>
        <Stack direction="row" spacing={2} sx={{ alignItems: 'center', mb: 1, flexWrap: 'wrap' }}>
          <Typography sx={{ fontWeight: 700 }} variant="h5">
            {site.site_name}
          </Typography>
          <SiteStatusChip status={site.status} size="medium" />
          {site.location ? <Typography color="text.secondary">{site.location}</Typography> : null}
        </Stack>
        {lost ? (
          <Typography color="text.secondary" sx={{ mb: 1 }} data-testid="status-as-of">
            Last known status, as of {updatedAt ? fmtDateTime(updatedAt.toISOString()) : 'the last load'}: the server
            cannot be reached now.
          </Typography>
        ) : null}
        {site.reasons.length > 0 ? (
          <Alert
            severity={site.status === 'offline' ? 'error' : site.status === 'degraded' ? 'warning' : 'info'}
            sx={{ mb: 2 }}
          >
            {site.reasons.map((r) => (
              <div key={r}>{r}</div>
            ))}
          </Alert>
        ) : lost ? null : (
          <Typography color="success.main" sx={{ mb: 2 }}>
            Everything is answering and the data is up to date.
          </Typography>
        )}
        <Box sx={{ display: 'flex', gap: 3, flexWrap: 'wrap' }}>
          <Fact
            label="Last heartbeat"
            value={fmtAgo(site.last_heartbeat_at)}
            title={fmtDateTime(site.last_heartbeat_at)}
          />
          <Fact
            label="Meters answering"
            value={
              site.meters.answering === null
                ? `— / ${site.meters.configured}`
                : `${site.meters.answering} / ${site.meters.configured}`
            }
          />
          <Fact
            label="Backlog on site"
            value={
              site.backlog.readings === null
                ? '—'
                : `${fmtNumber(site.backlog.readings, 0)}${site.backlog.age_s ? ` (oldest ${fmtDuration(site.backlog.age_s)})` : ''}`
            }
          />
          <Fact
            label="Power now"
            value={site.current_power_kw === null ? '—' : `${fmtNumber(site.current_power_kw, 1)} kW`}
            note={leftOut}
          />
          <Fact
            label="Energy today"
            value={site.energy_today_kwh === null ? '—' : `${fmtNumber(site.energy_today_kwh, 1)} kWh`}
            note={leftOut}
          />
          <Fact label="Agent version" value={site.agent_version ?? '—'} />
          <Fact
            label="Clock offset"
            value={site.clock_offset_ms === null ? '—' : `${(site.clock_offset_ms / 1000).toFixed(1)} s`}
          />
          <Fact label="Last data received" value={fmtAgo(site.last_batch_at)} title={fmtDateTime(site.last_batch_at)} />
        </Box>
      </CardContent>
    </Card>
  );
}

function MetersTable({
  meters,
  canEdit,
  onEdit,
}: {
  meters: MeterSummary[];
  canEdit: boolean;
  onEdit(m: MeterSummary): void;
}) {
  return (
    <TableContainer component={Paper} variant="outlined">
      <Table size="small" aria-label="meters">
        <TableHead>
          <TableRow>
            <TableCell>Meter</TableCell>
            <TableCell>Status</TableCell>
            <TableCell>Latest values</TableCell>
            <TableCell>Last reading</TableCell>
            {canEdit ? <TableCell /> : null}
          </TableRow>
        </TableHead>
        <TableBody>
          {meters.map((m) => (
            <TableRow key={m.id} hover data-testid={`meter-row-${m.external_id}`}>
              <TableCell>
                <Link sx={{ fontWeight: 600 }} to={`/meters/${m.id}`}>
                  {m.name}
                </Link>
                <Typography variant="caption" color="text.secondary" component="div">
                  {m.external_id} · device {m.bacnet_device_id} @ {m.bacnet_ip}
                </Typography>
              </TableCell>
              <TableCell>
                <MeterStatusChip status={m.status} title={m.status_reason} />
                {m.status !== 'ok' ? (
                  <Typography variant="caption" color="text.secondary" component="div" sx={{ maxWidth: 220 }}>
                    {m.status_reason}
                  </Typography>
                ) : null}
              </TableCell>
              <TableCell>
                <Box sx={{ display: 'flex', gap: 0.5, flexWrap: 'wrap' }}>
                  {m.data_points.map((p) => (
                    <Chip
                      key={p.name}
                      size="small"
                      variant="outlined"
                      color={p.latest && p.latest.quality !== 'good' && m.values_current ? 'error' : 'default'}
                      label={`${p.name}: ${p.latest ? fmtValue(p.latest.value, p.latest.unit) : '—'}${p.latest && p.latest.quality !== 'good' ? ` (${p.latest.quality})` : ''}`}
                      data-testid="latest-value"
                      data-current={m.values_current ? 'true' : 'false'}
                      sx={
                        m.values_current
                          ? undefined
                          : { color: 'text.disabled', borderStyle: 'dashed', bgcolor: 'action.disabledBackground' }
                      }
                    />
                  ))}
                </Box>
                {!m.values_current && m.last_reading_at && m.is_active ? (
                  <Typography variant="caption" color="text.secondary" component="div" data-testid="values-as-of">
                    as of {fmtDateTime(m.last_reading_at)} ({fmtAgo(m.last_reading_at)}) — not current, left out of the
                    site totals
                  </Typography>
                ) : null}
              </TableCell>
              <TableCell title={fmtDateTime(m.last_reading_at)}>{fmtAgo(m.last_reading_at)}</TableCell>
              {canEdit ? (
                <TableCell>
                  <Button size="small" onClick={() => onEdit(m)}>
                    Edit
                  </Button>
                </TableCell>
              ) : null}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}

function ReadingsPanel({ siteId, meters }: { siteId: number; meters: MeterSummary[] }) {
  const [meterId, setMeterId] = useState<number>(meters[0]?.id ?? 0);
  const meter = meters.find((m) => m.id === meterId) ?? meters[0];
  const points = meter?.data_points.map((p) => p.name) ?? [];
  const [point, setPoint] = useState<string>(points.includes('current_kw') ? 'current_kw' : (points[0] ?? ''));
  const [range, setRange] = useState<RangeKey>('24h');
  const [bucket, setBucket] = useState<BucketChoice>('auto');
  const [agg, setAgg] = useState<ReadingAgg>('avg');
  const rangeMs = RANGES.find((r) => r.key === range)?.ms ?? 86_400_000;
  const effective = bucket === 'auto' ? autoBucket(rangeMs) : bucket;
  const params = () => ({
    meter_id: meter?.id,
    data_point: point,
    from: new Date(Date.now() - rangeMs).toISOString(),
    to: new Date().toISOString(),
    bucket: effective,
    agg,
    tz: viewerTimeZone(),
  });
  const state = usePoll(
    async () =>
      (meter && point ? (await api.get<ReadingsResponse>('/api/readings', { params: params() })).data : undefined) ??
      null,
    [meter?.id, point, range, effective, agg],
    60_000,
  );
  const [csvError, setCsvError] = useState<string>();

  return (
    <Box>
      <Box sx={{ display: 'flex', gap: 1.5, flexWrap: 'wrap', mb: 2 }}>
        <TextField
          select
          size="small"
          label="Meter"
          value={meter?.id ?? ''}
          onChange={(e) => setMeterId(Number(e.target.value))}
          sx={{ minWidth: 180 }}
          name="meter"
        >
          {meters.map((m) => (
            <MenuItem key={m.id} value={m.id}>
              {m.name}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          select
          size="small"
          label="Data point"
          value={points.includes(point) ? point : ''}
          onChange={(e) => setPoint(e.target.value)}
          sx={{ minWidth: 150 }}
          name="data_point"
        >
          {points.map((p) => (
            <MenuItem key={p} value={p}>
              {p}
            </MenuItem>
          ))}
        </TextField>
        <RangeSelect value={range} onChange={setRange} />
        <BucketSelect value={bucket} onChange={setBucket} />
        <AggSelect value={agg} onChange={setAgg} disabled={effective === 'raw'} />
        <Button
          size="small"
          onClick={() =>
            downloadCsv('/api/readings', params(), 'readings.csv').catch((e: unknown) => setCsvError(errorText(e)))
          }
        >
          Download CSV
        </Button>
      </Box>
      {csvError ? <Alert severity="error">{csvError}</Alert> : null}
      <Loadable state={state} what="readings">
        {(data) =>
          !data || data.rows.length === 0 ? (
            <EmptyState title="No readings in this range">
              Choose a longer range, or check on the meter's row above whether it is answering.
            </EmptyState>
          ) : (
            <>
              <ReadingsChart rows={data.rows} label={point} />
              <ChartCaption>
                {data.rows.length} {effective === 'raw' ? 'readings' : `${effective} buckets (${agg})`} in{' '}
                {viewerTimeZone()} time
                {data.truncated ? ' — cut at the row limit: choose a larger bucket to see the whole range' : ''}. Site{' '}
                {siteId}.
              </ChartCaption>
            </>
          )
        }
      </Loadable>
    </Box>
  );
}

function ConsumptionPanel({ siteId }: { siteId: number }) {
  const [days, setDays] = useState(7);
  const params = () => ({
    site_id: siteId,
    interval: '1d',
    from: localMidnight(days - 1),
    to: new Date().toISOString(),
    tz: viewerTimeZone(),
  });
  const state = usePoll(
    async () => (await api.get<ConsumptionResponse>('/api/consumption', { params: params() })).data,
    [siteId, days],
    300_000,
  );
  const [csvError, setCsvError] = useState<string>();
  return (
    <Box>
      <Box sx={{ display: 'flex', gap: 1.5, mb: 2, flexWrap: 'wrap' }}>
        <TextField
          select
          size="small"
          label="Days"
          value={days}
          onChange={(e) => setDays(Number(e.target.value))}
          sx={{ minWidth: 120 }}
        >
          {[7, 14, 30, 90].map((d) => (
            <MenuItem key={d} value={d}>
              Last {d} days
            </MenuItem>
          ))}
        </TextField>
        <Button
          size="small"
          onClick={() =>
            downloadCsv('/api/consumption', params(), 'consumption.csv').catch((e: unknown) =>
              setCsvError(errorText(e)),
            )
          }
        >
          Download CSV
        </Button>
      </Box>
      {csvError ? <Alert severity="error">{csvError}</Alert> : null}
      <Loadable state={state} what="consumption">
        {(data) => {
          const site = data.sites[0];
          if (!site)
            return (
              <EmptyState title="No energy counter on this site yet">
                Consumption is computed from cumulative kWh data points (such as total_kwh). Once a meter reports one,
                daily energy shows here.
              </EmptyState>
            );
          const gaps = data.series.flatMap((s) =>
            s.gaps.filter((g) => !g.attributed).map((g) => ({ ...g, meter: s.meter_name })),
          );
          const resets = data.series.flatMap((s) => s.resets.map((r) => ({ ...r, meter: s.meter_name })));
          return (
            <>
              <ConsumptionChart buckets={site.buckets} />
              <ChartCaption>
                {fmtNumber(site.total_kwh, 1)} kWh in these {days} days from {data.series.length} energy counter(s).
                Days in {data.tz}.
              </ChartCaption>
              {gaps.length > 0 ? (
                <Alert severity="warning" sx={{ mt: 1 }}>
                  {gaps.length} data gap(s) spanning days: their {fmtNumber(site.unattributed_kwh, 1)} kWh are not
                  counted in any day, because nothing says when it was used.
                  {gaps.slice(0, 5).map((g) => (
                    <div key={`${g.meter}${g.from}`}>
                      {g.meter}: {fmtDateTime(g.from)} – {fmtDateTime(g.to)} ({fmtNumber(g.energy_kwh, 1)} kWh)
                    </div>
                  ))}
                </Alert>
              ) : null}
              {resets.length > 0 ? (
                <Alert severity="info" sx={{ mt: 1 }}>
                  Counter reset(s) detected and handled:{' '}
                  {resets
                    .slice(0, 5)
                    .map(
                      (r) =>
                        `${r.meter} at ${fmtDateTime(r.at)} (${fmtNumber(r.from_value, 1)} → ${fmtNumber(r.to_value, 1)})`,
                    )
                    .join('; ')}
                </Alert>
              ) : null}
            </>
          );
        }}
      </Loadable>
    </Box>
  );
}

function ConnectivityPanel({ siteId }: { siteId: number }) {
  const [range, setRange] = useState<RangeKey>('24h');
  const rangeMs = RANGES.find((r) => r.key === range)?.ms ?? 86_400_000;
  const state = usePoll(
    async () =>
      (
        await api.get<ConnectivityResponse>(`/api/sites/${siteId}/connectivity`, {
          params: { from: new Date(Date.now() - rangeMs).toISOString(), max_points: 800 },
        })
      ).data,
    [siteId, range],
    60_000,
  );
  return (
    <Box>
      <Box sx={{ mb: 2 }}>
        <RangeSelect value={range} onChange={setRange} />
      </Box>
      <Loadable state={state} what="connectivity history">
        {(data) => (
          <>
            {data.heartbeats.length === 0 ? (
              <EmptyState title="No heartbeats in this range">
                The site agent sends one every minute once it runs with this site's API key.
              </EmptyState>
            ) : (
              <BacklogChart heartbeats={data.heartbeats} />
            )}
            {data.outages.length === 0 ? (
              <Typography color="text.secondary" sx={{ mt: 1 }}>
                No outages in this range (none reported by the agent, no heartbeat gap over{' '}
                {fmtDuration(data.outage_gap_s)}).
              </Typography>
            ) : (
              <Alert
                severity={data.outages.some((o) => o.ongoing) || data.offline_periods.length > 0 ? 'error' : 'warning'}
                sx={{ mt: 1 }}
                data-testid="outages"
              >
                {data.outages.length} uplink outage(s) in this range
                {data.offline_periods.length > 0
                  ? `, ${data.offline_periods.length} long enough to count as offline`
                  : ''}
                :
                {data.outages.map((o) => (
                  <div key={o.from} data-testid="outage">
                    {fmtDateTime(o.from)} – {o.ongoing ? 'now, still going on' : fmtDateTime(o.to)} (
                    {fmtDuration(o.duration_s)}) ·{' '}
                    {o.sources
                      .map((src) => (src === 'agent_reported' ? 'reported by the agent' : 'no heartbeat'))
                      .join(' and ')}
                  </div>
                ))}
              </Alert>
            )}
          </>
        )}
      </Loadable>
    </Box>
  );
}

function Section({ title, children, action }: { title: string; children: React.ReactNode; action?: React.ReactNode }) {
  return (
    <Paper variant="outlined" sx={{ p: { xs: 1.5, sm: 2.5 }, mb: 3 }} data-testid={`section-${title}`}>
      <Box sx={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', mb: 1.5 }}>
        <Typography sx={{ fontWeight: 600 }} variant="h6">
          {title}
        </Typography>
        {action}
      </Box>
      {children}
    </Paper>
  );
}

export function SitePage({ id }: { id: number }) {
  const user = useAuth((s) => s.user);
  const site = usePoll(
    async () =>
      (await api.get<{ site: SiteSummary }>(`/api/sites/${id}`, { params: { tz: viewerTimeZone() } })).data.site,
    [id],
    15_000,
  );
  const meters = usePoll(
    async () =>
      (await api.get<MetersResponse>('/api/meters', { params: { site_id: id, include_inactive: true } })).data.meters,
    [id],
    15_000,
  );
  const [editing, setEditing] = useState<MeterSummary | 'new'>();
  const active = useMemo(() => meters.data?.filter((m) => m.is_active) ?? [], [meters.data]);

  return (
    <Box>
      <Link to="/" variant="body2">
        ← All sites
      </Link>
      <Box sx={{ mt: 1 }}>
        <Loadable state={site} what="the site">
          {(s) => <SiteHeader site={s} updatedAt={site.updatedAt} />}
        </Loadable>
        <ActiveAlerts siteId={id} />
      </Box>
      <Section
        title="Meters"
        action={
          can.manageMeters(user) ? (
            <Button variant="outlined" size="small" onClick={() => setEditing('new')}>
              Add meter
            </Button>
          ) : null
        }
      >
        <Loadable state={meters} what="meters">
          {(list) =>
            list.length === 0 ? (
              <EmptyState title="No meters on this site yet">
                The site agent registers the meters of its meters.json when it first connects
                {can.manageMeters(user) ? ', or add one here with "Add meter"' : ''}.
              </EmptyState>
            ) : (
              <MetersTable meters={list} canEdit={can.manageMeters(user)} onEdit={(m) => setEditing(m)} />
            )
          }
        </Loadable>
      </Section>
      {active.length > 0 ? (
        <Section title="Readings">
          <ReadingsPanel siteId={id} meters={active} />
        </Section>
      ) : null}
      <Section title="Energy per day">
        <ConsumptionPanel siteId={id} />
      </Section>
      <Section title="Connectivity">
        <ConnectivityPanel siteId={id} />
      </Section>
      <Section title="Commissioning">
        <CommissioningPanel siteId={id} />
      </Section>
      {editing ? (
        <MeterDialog
          siteId={id}
          meter={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(undefined)}
          onSaved={() => {
            setEditing(undefined);
            meters.reload();
            site.reload();
          }}
        />
      ) : null}
    </Box>
  );
}
