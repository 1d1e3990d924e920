import { Alert, Box, Card, CardContent, Stack, Typography } from '@mui/material';
import type { SiteSummary } from '@meterit/shared';
import { useConnection } from '../../api/connection';
import { SiteStatusChip } from '../../components/StatusChip';
import { fmtAgo, leftOutText, fmtDateTime, fmtDuration, fmtNumber } from '../../format';

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

export function SiteHeader({ site, updatedAt }: { site: SiteSummary; updatedAt: Date | undefined }) {
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
          <Fact label="Time zone" value={site.time_zone} title="The site's days, months and tariff hours follow it" />
          <Fact label="Currency" value={site.currency} />
          <Fact label="Floor area" value={site.area_m2 === null ? '—' : `${fmtNumber(site.area_m2, 1)} m²`} />
        </Box>
      </CardContent>
    </Card>
  );
}
