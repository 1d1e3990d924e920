import { Box, Card, CardContent, Typography } from '@mui/material';
import type { SiteSummary } from '@meterit/shared';
import { fmtNumber } from '../../format';

function Figure({ label, value, tone }: { label: string; value: string; tone?: string }) {
  return (
    <Card variant="outlined" sx={{ flex: '1 1 120px' }}>
      <CardContent sx={{ py: 1.5, '&:last-child': { pb: 1.5 } }}>
        <Typography variant="body2" color="text.secondary">
          {label}
        </Typography>
        <Typography
          sx={{ fontWeight: 700, whiteSpace: 'nowrap', fontSize: { xs: 20, md: 24 } }}
          variant="h5"
          color={tone}
        >
          {value}
        </Typography>
      </CardContent>
    </Card>
  );
}

/** The figures over all visible sites, whatever the search or filter below shows. */
export function Totals({ sites }: { sites: SiteSummary[] }) {
  const count = (s: SiteSummary['status']) => sites.filter((x) => x.status === s).length;
  const power = sites.reduce((t, s) => t + (s.current_power_kw ?? 0), 0);
  const energy = sites.reduce((t, s) => t + (s.energy_today_kwh ?? 0), 0);
  return (
    <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', mb: 3 }}>
      <Figure label="Offline" value={String(count('offline'))} tone={count('offline') ? 'error.main' : undefined} />
      <Figure
        label="Degraded"
        value={String(count('degraded'))}
        tone={count('degraded') ? 'warning.main' : undefined}
      />
      <Figure label="Online" value={String(count('online'))} tone="success.main" />
      <Figure label="Current power" value={`${fmtNumber(power, 1)} kW`} />
      <Figure label="Energy today" value={`${fmtNumber(energy, 1)} kWh`} />
    </Box>
  );
}
