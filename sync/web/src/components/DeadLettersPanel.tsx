import { Box, Typography } from '@mui/material';
import { useSite } from '../store/site-store';
import { clock, value } from '../lib/format';
import { Empty, Panel } from './Panel';

/** Readings the client system refused, with its reason; they never block the queue. */
export function DeadLettersPanel() {
  const dl = useSite((s) => s.deadLetters);
  if (!dl) return null;
  return (
    <Panel title="Dead letters" subtitle={dl.count === 0 ? undefined : `${dl.count} refused`} testId="dead-letters">
      {dl.count === 0 ? (
        <Empty>None: the client system accepted every reading.</Empty>
      ) : (
        <>
          <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
            The client system refused these readings. Once the cause is fixed (usually in the client system), press
            “Retry dead letters”.
          </Typography>
          <Box
            component="ol"
            tabIndex={0}
            aria-label="Dead letters"
            sx={{ listStyle: 'none', m: 0, p: 0, maxHeight: 320, overflowY: 'auto' }}
          >
            {dl.dead_letters.map((d) => (
              <Box component="li" key={d.id} sx={{ py: 0.5, borderBottom: '1px solid', borderColor: 'divider' }}>
                <Typography variant="body2">
                  <b>{d.meter}</b> · {d.point} · {value(d.value, d.unit)} · {clock(d.ts)}
                </Typography>
                <Typography variant="body2" color="text.secondary" sx={{ overflowWrap: 'anywhere' }}>
                  {d.code}: {d.reason}
                </Typography>
              </Box>
            ))}
          </Box>
        </>
      )}
    </Panel>
  );
}
