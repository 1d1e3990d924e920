import { Paper, Typography } from '@mui/material';
import { useSite } from '../store/site-store';
import { ago, clock, duration } from '../lib/format';
import { useAgentNow } from '../lib/use-now';
import { toneBackground, toneColor, type Tone } from '../theme';

const TONE: Record<'registered' | 'failing' | 'pending', Tone> = {
  registered: 'ok',
  failing: 'problem',
  pending: 'unknown',
};
const WORD = { registered: 'Registered', failing: 'Failing', pending: 'Registering…' } as const;

/** One line under the tiles when the agent reaches its meters through a BBMD: registered or failing, last renewal, last error. */
export function ForeignDeviceLine() {
  const fd = useSite((s) => s.status?.foreign_device);
  const now = useAgentNow();
  if (!fd) return null;
  const tone = TONE[fd.state];
  const renewal = fd.last_registered_at
    ? `last renewal ${clock(fd.last_registered_at, now)} (${ago(fd.last_registered_at, now)})`
    : 'never registered yet';
  return (
    <Paper
      data-testid="foreign-device"
      data-state={fd.state}
      sx={{
        px: 1.5,
        py: 1,
        mb: 2,
        borderLeft: `6px solid ${toneColor[tone]}`,
        background: toneBackground[tone],
        display: 'flex',
        flexWrap: 'wrap',
        columnGap: 1.5,
        rowGap: 0.25,
        alignItems: 'baseline',
      }}
    >
      <Typography variant="overline" color="text.secondary" sx={{ lineHeight: 1.4 }}>
        BBMD {fd.bbmd}
      </Typography>
      <Typography data-testid="foreign-device-state" sx={{ fontWeight: 700, color: toneColor[tone] }}>
        {WORD[fd.state]}
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ overflowWrap: 'anywhere' }}>
        as a foreign device: {renewal}; renewed every {duration((fd.ttl_s / 2) * 1000)}
        {fd.state === 'failing' && fd.registered ? '; the earlier registration still holds' : ''}
      </Typography>
      {fd.last_error && (
        <Typography
          data-testid="foreign-device-error"
          variant="body2"
          sx={{ color: toneColor.problem, overflowWrap: 'anywhere', flexBasis: '100%' }}
        >
          {fd.last_error}
        </Typography>
      )}
    </Paper>
  );
}
