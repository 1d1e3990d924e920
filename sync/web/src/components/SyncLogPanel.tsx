import { Box, Typography } from '@mui/material';
import { useSite } from '../store/site-store';
import { clock, count } from '../lib/format';
import { toneColor } from '../theme';
import { Empty, Panel } from './Panel';

/** The last uploads: when, how many, and why one failed. */
export function SyncLogPanel() {
  const log = useSite((s) => s.syncLog);
  if (!log) return null;
  return (
    <Panel title="Sync log" subtitle="newest first" testId="sync-log">
      {log.entries.length === 0 ? (
        <Empty>No readings sent yet. The agent sends on its schedule, or press “Sync now”.</Empty>
      ) : (
        <Box
          component="ol"
          tabIndex={0}
          aria-label="Sync log entries"
          sx={{ listStyle: 'none', m: 0, p: 0, maxHeight: 320, overflowY: 'auto' }}
        >
          {log.entries.map((e) => (
            <Box
              component="li"
              key={e.id}
              sx={{ display: 'flex', gap: 1, py: 0.5, borderBottom: '1px solid', borderColor: 'divider' }}
            >
              <Typography
                variant="body2"
                sx={{ color: e.success ? toneColor.ok : toneColor.problem, fontWeight: 700, width: 16 }}
              >
                {e.success ? '✓' : '✕'}
              </Typography>
              <Typography
                variant="body2"
                color="text.secondary"
                sx={{ minWidth: 72, flexShrink: 0, whiteSpace: 'nowrap', fontVariantNumeric: 'tabular-nums' }}
              >
                {clock(e.finished_at)}
              </Typography>
              <Typography variant="body2" sx={{ minWidth: 0, overflowWrap: 'anywhere' }}>
                {e.success
                  ? `sent ${count(e.batch_size)}: ${count(e.stored)} new, ${count(e.duplicates)} already there`
                  : `${count(e.batch_size)} not sent — ${e.error_code ?? 'error'}${e.error_message ? `: ${e.error_message}` : ''}${e.rejected ? ` (${e.rejected} refused)` : ''}`}
              </Typography>
            </Box>
          ))}
        </Box>
      )}
    </Panel>
  );
}
