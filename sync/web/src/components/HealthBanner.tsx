import { Box, Paper, Typography } from '@mui/material';
import { useSite } from '../store/site-store';
import { toneBackground, toneColor } from '../theme';
import { clock } from '../lib/format';

const HEADLINE = { ok: '✓ Site healthy', attention: '! Needs attention', problem: '✕ Problem on this site' } as const;

/** The one-glance verdict: colour and words, then each finding with what to do. */
export function HealthBanner() {
  const health = useSite((s) => s.status?.health);
  const lost = useSite((s) => s.loadError !== null);
  const lastLoadedAt = useSite((s) => s.lastLoadedAt);
  if (!health) return null;
  const tone = health.level;
  return (
    <Paper
      data-testid="health"
      data-level={health.level}
      sx={{
        p: { xs: 1.5, sm: 2 },
        mb: 2,
        borderColor: toneColor[tone],
        borderWidth: 2,
        background: toneBackground[tone],
      }}
    >
      <Typography
        variant="h5"
        component="p"
        sx={{ color: toneColor[tone], fontWeight: 700, fontSize: { xs: '1.3rem', sm: '1.5rem' } }}
      >
        {lost ? 'Last known: ' : ''}
        {HEADLINE[tone]}
      </Typography>
      {lost ? (
        <Typography color="text.secondary" data-testid="health-as-of">
          As of {clock(new Date(lastLoadedAt ?? Date.now()).toISOString())}: the agent does not answer now, so this may
          no longer be true.
        </Typography>
      ) : null}
      {health.findings.length === 0 ? (
        <Typography sx={{ mt: 0.5 }}>{health.summary}</Typography>
      ) : (
        <Box component="ul" sx={{ m: 0, mt: 1, pl: 2.5 }}>
          {health.findings.map((f) => (
            <Box component="li" key={f.code} sx={{ mb: 0.75 }} data-finding={f.code}>
              <Typography
                component="span"
                sx={{ fontWeight: 600, color: f.level === 'problem' ? toneColor.problem : 'inherit' }}
              >
                {f.message}
              </Typography>{' '}
              <Typography component="span" color="text.secondary">
                {f.action}
              </Typography>
            </Box>
          ))}
        </Box>
      )}
    </Paper>
  );
}
