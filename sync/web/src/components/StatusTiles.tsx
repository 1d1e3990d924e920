import type { ReactNode } from 'react';
import { Box, Paper, Typography } from '@mui/material';
import { useSite } from '../store/site-store';
import { ago, clock, count, duration, hours } from '../lib/format';
import { useAgentNow } from '../lib/use-now';
import { toneBackground, toneColor, type Tone } from '../theme';

function Tile(props: { label: string; value: string; tone: Tone; detail: ReactNode; testId: string; wide?: boolean }) {
  return (
    <Paper
      data-testid={props.testId}
      data-tone={props.tone}
      sx={{
        p: 1.5,
        borderLeft: `6px solid ${toneColor[props.tone]}`,
        background: toneBackground[props.tone],
        minWidth: 0,
        gridColumn: props.wide ? { xs: 'span 2', md: 'auto' } : undefined,
      }}
    >
      <Typography variant="overline" sx={{ lineHeight: 1.4, display: 'block' }} color="text.secondary">
        {props.label}
      </Typography>
      <Typography
        data-testid={`${props.testId}-value`}
        sx={{ fontSize: '1.35rem', fontWeight: 700, color: toneColor[props.tone], lineHeight: 1.25 }}
      >
        {props.value}
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mt: 0.25, overflowWrap: 'anywhere' }}>
        {props.detail}
      </Typography>
    </Paper>
  );
}

/** Meters, collecting, uplink, backlog, last sync: each in colour and words. */
export function StatusTiles() {
  const s = useSite((st) => st.status);
  const now = useAgentNow();
  if (!s) return null;
  const m = s.meters;
  const degraded = m.degraded ?? 0;
  const wrongDevice = m.wrong_device ?? 0;
  const answering = m.ok + m.slow + degraded;
  const metersTone: Tone =
    m.configured === 0 || m.failing > 0 || wrongDevice > 0
      ? 'problem'
      : m.never_answered > 0 || m.slow > 0 || degraded > 0
        ? 'attention'
        : 'ok';
  const metersDetail = [
    wrongDevice && `${wrongDevice} wrong device`,
    m.failing && `${m.failing} failing`,
    m.never_answered && `${m.never_answered} never answered`,
    degraded && `${degraded} with failing points`,
    m.slow && `${m.slow} slow`,
  ]
    .filter(Boolean)
    .join(', ');

  const c = s.collection;
  const up = s.uplink;
  const upTone: Tone = up.state === 'up' ? 'ok' : up.state === 'down' ? 'problem' : 'unknown';
  const b = s.backlog;
  const oldOld = b.oldest_age_s !== null && b.oldest_age_s > 15 * 60;
  const growing = b.trend === 'growing';
  const backlogTone: Tone =
    b.count === 0 ? 'ok' : oldOld && up.state === 'down' ? 'problem' : growing || oldOld ? 'attention' : 'ok';
  const retrying = up.cause !== null && up.next_attempt_at !== null;
  const last = s.last_sync;
  const syncTone: Tone = !last ? 'unknown' : last.ok ? 'ok' : 'problem';

  return (
    <Box
      sx={{
        display: 'grid',
        gap: 1.5,
        mb: 2,
        gridTemplateColumns: { xs: 'repeat(2, minmax(0, 1fr))', md: 'repeat(5, minmax(0, 1fr))' },
      }}
    >
      <Tile
        testId="tile-meters"
        label="Meters answering"
        tone={metersTone}
        value={`${answering} of ${m.configured}`}
        detail={metersDetail || (m.configured === 0 ? 'none configured' : 'all answer')}
      />
      <Tile
        testId="tile-collecting"
        label="Collecting"
        tone={c.collecting ? 'ok' : 'attention'}
        value={c.collecting ? 'Yes' : 'No — stopped'}
        detail={
          c.collecting
            ? `every ${duration(c.interval_s * 1000)}; last poll ${ago(c.last_cycle_at, now)}`
            : `since ${clock(c.changed_at, now)}${c.reason ? ` (${c.reason})` : ''}`
        }
      />
      <Tile
        testId="tile-uplink"
        label="Uplink to client system"
        tone={upTone}
        value={up.state === 'up' ? 'Up' : up.state === 'down' ? 'Down' : 'Not yet known'}
        detail={
          <>
            {up.since
              ? `since ${clock(up.since, now)} (${duration(now - Date.parse(up.since))})`
              : 'waiting for the first contact'}
            {up.cause && (
              <>
                <br />
                <span data-testid="uplink-cause">{up.cause.summary}</span>
              </>
            )}
            {retrying && (
              <>
                <br />
                <span data-testid="uplink-next-retry">
                  next retry at {clock(up.next_attempt_at, now)}
                  {up.failures_in_a_row > 0
                    ? ` (${up.failures_in_a_row} ${up.failures_in_a_row === 1 ? 'failure' : 'failures'} in a row)`
                    : ''}
                </span>
              </>
            )}
          </>
        }
      />
      <Tile
        testId="tile-backlog"
        label="Backlog (not sent yet)"
        tone={backlogTone}
        value={`${count(b.count)} ${b.count === 1 ? 'reading' : 'readings'}`}
        detail={
          <span title={s.storage.basis}>
            {growing && (
              <strong data-testid="backlog-growing">{`growing over the last ${duration(b.trend_window_s * 1000)}; `}</strong>
            )}
            {b.oldest_at ? `oldest ${ago(b.oldest_at, now)}; ` : ''}
            {s.storage.outage_hours === null
              ? 'not growing while collection is stopped'
              : `${s.storage.bound === 'queue_limit' ? 'queue limit' : 'disk'} holds ${hours(s.storage.outage_hours)} of outage`}
          </span>
        }
      />
      <Tile
        wide
        testId="tile-last-sync"
        label="Last successful sync"
        tone={syncTone}
        value={s.last_successful_sync_at ? clock(s.last_successful_sync_at, now) : 'Never'}
        detail={
          last && !last.ok
            ? `last try failed ${ago(last.at, now)}: ${last.error_code ?? 'error'}`
            : s.last_successful_sync_at
              ? `${ago(s.last_successful_sync_at, now)}${s.next_sync_at ? `; next ${clock(s.next_sync_at, now)}` : ''}`
              : 'nothing sent yet'
        }
      />
    </Box>
  );
}
