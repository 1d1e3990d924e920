import { useState } from 'react';
import { Alert, Box, Button, CircularProgress, MenuItem, TextField, Typography } from '@mui/material';
import type { ReadPointRequest } from '../api/types';
import { useSite } from '../store/site-store';
import { toneColor } from '../theme';
import { Panel } from './Panel';

const OTHER = '__other__';
const TYPED = '__typed__';

/** The answer in words: the value, or why the device did not give one. */
function Answer() {
  const r = useSite((s) => s.pointRead);
  if (!r) return null;
  const what = `${r.point ?? `${r.object.type}:${r.object.instance} ${r.property}`}${r.array_index !== null ? `[${r.array_index}]` : ''}`;
  const where = `${r.meter ?? `device ${r.device.device_id}`} at ${r.device.address}:${r.device.port}`;
  return (
    <Box sx={{ mt: 1.5 }} data-testid="read-result" data-ok={r.ok}>
      <Typography variant="body2" color="text.secondary" sx={{ overflowWrap: 'anywhere' }}>
        {what} of {where}, answered in {r.response_ms} ms:
      </Typography>
      {r.ok ? (
        <Typography sx={{ fontWeight: 700, fontSize: '1.25rem', overflowWrap: 'anywhere' }} data-testid="read-value">
          {r.values.length === 1
            ? JSON.stringify(r.value)
            : r.values.map((v) => JSON.stringify(v.value)).join(', ') || 'no value'}
        </Typography>
      ) : (
        <Typography sx={{ color: toneColor.problem, fontWeight: 600 }} data-testid="read-error">
          {r.error?.code}: {r.error?.message}
        </Typography>
      )}
      {r.ok && r.values[0] && (
        <Typography variant="caption" color="text.secondary">
          BACnet {r.values[0].tag_name}
        </Typography>
      )}
    </Box>
  );
}

/** One live read of a configured data point, or of any object of any device (needs the control token). */
export function ReadPointPanel() {
  const meters = useSite((s) => s.meters?.meters);
  const enabled = useSite((s) => s.status?.control.enabled ?? false);
  const busy = useSite((s) => s.busy);
  const error = useSite((s) => s.toolError.read);
  const { readPoint } = useSite.getState();
  const [meterId, setMeterId] = useState<string | null>(null);
  const [point, setPoint] = useState<string | null>(null);
  const [typed, setTyped] = useState({
    deviceId: '',
    address: '',
    objectType: 'analogInput',
    instance: '0',
    property: 'presentValue',
  });
  if (!meters) return null;
  const meter = meterId === OTHER ? null : (meters.find((m) => m.id === meterId) ?? meters[0] ?? null);
  const other = meter === null;
  const shownPoint = other ? TYPED : (point ?? meter.points[0]?.name ?? TYPED);
  const typing = shownPoint === TYPED;
  const field = (k: keyof typeof typed, label: string, width: number, testId: string) => (
    <TextField
      size="small"
      label={label}
      value={typed[k]}
      onChange={(e) => setTyped({ ...typed, [k]: e.target.value })}
      sx={{ width, maxWidth: '100%' }}
      slotProps={{ htmlInput: { 'data-testid': testId } }}
    />
  );
  const request = (): ReadPointRequest => {
    const base: ReadPointRequest = other
      ? { device_id: Number(typed.deviceId), address: typed.address.trim() }
      : { meter: meter.id };
    return typing
      ? {
          ...base,
          object_type: typed.objectType.trim(),
          instance: Number(typed.instance),
          property: typed.property.trim(),
        }
      : { ...base, point: shownPoint };
  };
  return (
    <Panel title="Read a point now" subtitle="one live BACnet read; nothing is stored" testId="read-point">
      <Box
        component="form"
        onSubmit={(e) => {
          e.preventDefault();
          void readPoint(request());
        }}
        sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', alignItems: 'center' }}
      >
        <TextField
          select
          size="small"
          label="Device"
          value={other ? OTHER : meter.id}
          onChange={(e) => {
            setMeterId(e.target.value);
            setPoint(null);
          }}
          sx={{ minWidth: 180, maxWidth: '100%' }}
          slotProps={{ select: { SelectDisplayProps: { 'data-testid': 'read-device' } as object } }}
        >
          {meters.map((m) => (
            <MenuItem key={m.id} value={m.id}>
              {m.name}
            </MenuItem>
          ))}
          <MenuItem value={OTHER}>Another device…</MenuItem>
        </TextField>
        {!other && (
          <TextField
            select
            size="small"
            label="Point"
            value={shownPoint}
            onChange={(e) => setPoint(e.target.value)}
            sx={{ minWidth: 160, maxWidth: '100%' }}
            slotProps={{ select: { SelectDisplayProps: { 'data-testid': 'read-point-select' } as object } }}
          >
            {meter.points.map((p) => (
              <MenuItem key={p.name} value={p.name}>
                {p.name}
              </MenuItem>
            ))}
            <MenuItem value={TYPED}>Type an object…</MenuItem>
          </TextField>
        )}
        {other && field('deviceId', 'Device id', 120, 'read-device-id')}
        {other && field('address', 'Address (ip[:port])', 190, 'read-address')}
        {typing && field('objectType', 'Object type', 150, 'read-object-type')}
        {typing && field('instance', 'Instance', 100, 'read-instance')}
        {typing && field('property', 'Property', 150, 'read-property')}
        <Button
          type="submit"
          variant="contained"
          disabled={!enabled || busy !== null}
          startIcon={busy === 'read' ? <CircularProgress size={16} color="inherit" /> : undefined}
          data-testid="btn-read"
        >
          Read now
        </Button>
      </Box>
      {error && (
        <Alert severity="error" sx={{ mt: 1 }} data-testid="read-refused">
          {error}
        </Alert>
      )}
      <Answer />
    </Panel>
  );
}
