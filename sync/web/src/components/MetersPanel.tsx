import {
  Box,
  Chip,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
  useMediaQuery,
  useTheme,
} from '@mui/material';
import type { MeterState, MeterView } from '../api/types';
import { useSite } from '../store/site-store';
import { ago, value } from '../lib/format';
import { useAgentNow } from '../lib/use-now';
import { toneBackground, toneColor, type Tone } from '../theme';
import { Empty, Panel } from './Panel';

const STATE: Record<MeterState, { label: string; tone: Tone }> = {
  ok: { label: 'OK', tone: 'ok' },
  slow: { label: 'Slow', tone: 'attention' },
  failing: { label: 'Failing', tone: 'problem' },
  never_answered: { label: 'Never answered', tone: 'problem' },
  degraded: { label: 'Points failing', tone: 'attention' },
  wrong_device: { label: 'Wrong device', tone: 'problem' },
};

function StateChip({ state }: { state: MeterState }) {
  const s = STATE[state];
  return (
    <Chip
      label={s.label}
      size="small"
      data-testid="meter-state"
      sx={{
        fontWeight: 700,
        color: toneColor[s.tone],
        background: toneBackground[s.tone],
        border: `1px solid ${toneColor[s.tone]}`,
      }}
    />
  );
}

function Values({ m, now }: { m: MeterView; now: number }) {
  return (
    <Box sx={{ display: 'grid', gridTemplateColumns: 'auto 1fr', columnGap: 1.5, rowGap: 0.25 }}>
      {m.points.map((p) => (
        <Box key={p.name} sx={{ display: 'contents' }} data-point={p.name}>
          <Typography variant="body2" color="text.secondary">
            {p.name}
          </Typography>
          <Typography
            variant="body2"
            sx={{ fontVariantNumeric: 'tabular-nums', fontWeight: 600, textAlign: 'right', whiteSpace: 'nowrap' }}
            data-testid="point-value"
          >
            {value(p.value, p.unit)}
          </Typography>
          {p.error && (
            <Typography
              variant="caption"
              sx={{ gridColumn: '1 / -1', color: toneColor.problem, mb: 0.25, overflowWrap: 'anywhere' }}
              data-testid="point-error"
            >
              fails ({p.error.consecutive_failures} {p.error.consecutive_failures === 1 ? 'poll' : 'polls'},{' '}
              {p.error.code}, {ago(p.error.at, now)}): {p.error.message}
            </Typography>
          )}
        </Box>
      ))}
    </Box>
  );
}

/** Another device answers at the meter's address: both ids, in words. */
function DeviceCheck({ m }: { m: MeterView }) {
  if (!m.device_check) return null;
  const { expected_device_id: expected, found_device_id: found } = m.device_check;
  return (
    <Typography variant="body2" sx={{ color: toneColor.problem, fontWeight: 600 }} data-testid="device-check">
      {found === null
        ? `Device ${expected} is not at this address`
        : `Configured device ${expected}, but device ${found} answers`}{' '}
      — nothing is stored
    </Typography>
  );
}

function LastAnswer({ m, now }: { m: MeterView; now: number }) {
  return (
    <>
      <Typography variant="body2">{m.last_success_at ? ago(m.last_success_at, now) : 'never'}</Typography>
      <Typography variant="caption" color="text.secondary">
        {m.state_text}
      </Typography>
    </>
  );
}

function LastError({ m, now }: { m: MeterView; now: number }) {
  if (!m.last_error)
    return (
      <Typography variant="body2" color="text.secondary">
        none
      </Typography>
    );
  const recent = m.state === 'failing' || m.state === 'never_answered' || m.state === 'wrong_device';
  return (
    <Box data-testid="meter-error">
      <Typography variant="body2" sx={{ color: recent ? toneColor.problem : 'text.secondary' }}>
        {m.last_error.plain}
      </Typography>
      <Typography variant="caption" color="text.secondary">
        {m.last_error.code}, {ago(m.last_error.at, now)}
      </Typography>
    </Box>
  );
}

/** Every meter: state in colour and words, last value of each point, last answer, last error in plain words. */
export function MetersPanel() {
  const meters = useSite((s) => s.meters);
  const now = useAgentNow();
  const theme = useTheme();
  const phone = useMediaQuery(theme.breakpoints.down('md'));
  if (!meters) return null;
  const list = meters.meters;
  return (
    <Panel title="Meters" subtitle={`slow means over ${meters.slow_threshold_ms} ms`} testId="meters">
      {list.length === 0 ? (
        <Empty>
          No meters are configured. Add them in the client system (or in meters.json before the first start); the agent
          picks them up within minutes.
        </Empty>
      ) : phone ? (
        <Box sx={{ display: 'grid', gap: 1 }}>
          {list.map((m) => (
            <Paper
              key={m.id}
              sx={{ p: 1.25, borderLeft: `6px solid ${toneColor[STATE[m.state].tone]}` }}
              data-testid={`meter-${m.id}`}
              data-state={m.state}
            >
              <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, mb: 0.5 }}>
                <Typography sx={{ fontWeight: 700, flexGrow: 1, minWidth: 0, overflowWrap: 'anywhere' }}>
                  {m.name}
                </Typography>
                <StateChip state={m.state} />
              </Box>
              <Typography variant="caption" color="text.secondary" component="p" sx={{ mb: 0.5 }}>
                {m.id} · device {m.bacnet.device_id} at{' '}
                <span data-testid="meter-address">
                  {m.bacnet.address}:{m.bacnet.port}
                </span>{' '}
                · {m.last_success_at ? `last answer ${ago(m.last_success_at, now)}` : 'never answered'}
              </Typography>
              <DeviceCheck m={m} />
              <Values m={m} now={now} />
              {m.last_error && (m.state !== 'ok' || m.consecutive_failures > 0) && (
                <Box sx={{ mt: 0.75 }}>
                  <LastError m={m} now={now} />
                </Box>
              )}
            </Paper>
          ))}
        </Box>
      ) : (
        <TableContainer>
          <Table size="small">
            <TableHead>
              <TableRow>
                <TableCell>State</TableCell>
                <TableCell>Meter</TableCell>
                <TableCell>Last values</TableCell>
                <TableCell>Last answer</TableCell>
                <TableCell>Last error</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {list.map((m) => (
                <TableRow key={m.id} data-testid={`meter-${m.id}`} data-state={m.state} sx={{ verticalAlign: 'top' }}>
                  <TableCell>
                    <StateChip state={m.state} />
                  </TableCell>
                  <TableCell>
                    <Typography variant="body2" sx={{ fontWeight: 600 }}>
                      {m.name}
                    </Typography>
                    <Typography variant="caption" color="text.secondary">
                      {m.id} · device {m.bacnet.device_id} at{' '}
                      <span data-testid="meter-address">
                        {m.bacnet.address}:{m.bacnet.port}
                      </span>
                    </Typography>
                    <DeviceCheck m={m} />
                  </TableCell>
                  <TableCell sx={{ minWidth: 200 }}>
                    <Values m={m} now={now} />
                  </TableCell>
                  <TableCell sx={{ minWidth: 140 }}>
                    <LastAnswer m={m} now={now} />
                  </TableCell>
                  <TableCell sx={{ maxWidth: 340 }}>
                    <LastError m={m} now={now} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
    </Panel>
  );
}
