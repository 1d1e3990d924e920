import { useState } from 'react';
import { Alert, Box, Button, CircularProgress, Collapse, Paper, TextField, Typography } from '@mui/material';
import type { DiscoveredDeviceView } from '../api/types';
import { useSite } from '../store/site-store';
import { toneColor } from '../theme';
import { Empty, Panel } from './Panel';

/** The device's object list, with names and units of its analog points. */
function ObjectList({ d }: { d: DiscoveredDeviceView }) {
  const named = new Map(d.points.map((p) => [`${p.object_type}:${p.instance}`, p]));
  return (
    <Box
      component="ul"
      tabIndex={0}
      aria-label={`Objects of device ${d.device_id}`}
      data-testid="object-list"
      sx={{ listStyle: 'none', m: 0, mt: 1, p: 0, maxHeight: 260, overflowY: 'auto', fontSize: '0.85rem' }}
    >
      {d.objects.map((o) => {
        const p = named.get(`${o.object_type}:${o.instance}`);
        return (
          <Box
            component="li"
            key={`${o.object_type}:${o.instance}`}
            sx={{ display: 'flex', gap: 1, py: 0.25, borderBottom: '1px solid', borderColor: 'divider' }}
          >
            <Typography variant="body2" sx={{ fontFamily: 'monospace', minWidth: 0, overflowWrap: 'anywhere' }}>
              {o.object_type}:{o.instance}
            </Typography>
            <Typography variant="body2" color="text.secondary" sx={{ minWidth: 0, overflowWrap: 'anywhere' }}>
              {p ? `${p.name ?? ''}${p.unit ? ` [${p.unit}]` : ''}` : ''}
            </Typography>
          </Box>
        );
      })}
    </Box>
  );
}

function Device({ d }: { d: DiscoveredDeviceView }) {
  const [open, setOpen] = useState(false);
  return (
    <Paper sx={{ p: 1.25 }} data-testid={`found-${d.device_id}`}>
      <Box sx={{ display: 'flex', gap: 1, alignItems: 'baseline', flexWrap: 'wrap' }}>
        <Typography sx={{ fontWeight: 700, minWidth: 0, overflowWrap: 'anywhere' }} data-testid="found-name">
          {d.name ?? `Device ${d.device_id}`}
        </Typography>
        <Typography variant="body2" color="text.secondary" data-testid="found-vendor">
          {[d.vendor_name ?? `vendor ${d.vendor_id}`, d.model_name].filter(Boolean).join(' · ')}
        </Typography>
      </Box>
      <Typography variant="body2" color="text.secondary">
        device {d.device_id} at {d.address}:{d.port} ·{' '}
        {d.configured_as ? `collected as ${d.configured_as.meter}` : 'not configured on this site'}
      </Typography>
      {d.errors.length > 0 && (
        <Typography variant="body2" sx={{ color: toneColor.problem }}>
          Could not read: {d.errors.join('; ')}
        </Typography>
      )}
      <Button size="small" onClick={() => setOpen(!open)} sx={{ mt: 0.5, px: 0 }} data-testid="btn-objects">
        {open ? 'Hide' : 'Show'} {d.objects.length} objects
      </Button>
      <Collapse in={open} unmountOnExit>
        <ObjectList d={d} />
      </Collapse>
    </Paper>
  );
}

/** Who-Is on the site network: what answers, with names, vendors and object lists (needs the control token). */
export function DiscoveryPanel() {
  const enabled = useSite((s) => s.status?.control.enabled ?? false);
  const busy = useSite((s) => s.busy);
  const result = useSite((s) => s.discovery);
  const error = useSite((s) => s.toolError.discover);
  const { discover } = useSite.getState();
  const [addresses, setAddresses] = useState('');
  const list = addresses
    .split(/[\s,]+/)
    .map((a) => a.trim())
    .filter(Boolean);
  return (
    <Panel title="Find devices (Who-Is)" subtitle="needs the control token" testId="discovery">
      <Box
        component="form"
        onSubmit={(e) => {
          e.preventDefault();
          void discover(list.length > 0 ? { addresses: list } : {});
        }}
        sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', alignItems: 'center' }}
      >
        <TextField
          size="small"
          label="Only these addresses (optional)"
          placeholder="e.g. 192.168.1.20, 192.168.1.21:47808"
          value={addresses}
          onChange={(e) => setAddresses(e.target.value)}
          sx={{ flex: '1 1 240px', minWidth: 0 }}
          slotProps={{ htmlInput: { 'data-testid': 'discover-addresses' } }}
        />
        <Button
          type="submit"
          variant="contained"
          disabled={!enabled || busy !== null}
          startIcon={busy === 'discover' ? <CircularProgress size={16} color="inherit" /> : undefined}
          data-testid="btn-discover"
        >
          Discover
        </Button>
      </Box>
      {error && (
        <Alert severity="error" sx={{ mt: 1 }} data-testid="discover-error">
          {error}
        </Alert>
      )}
      {result && (
        <Box sx={{ mt: 1.5 }} data-testid="discover-result">
          <Typography variant="body2" color="text.secondary" sx={{ mb: 1, overflowWrap: 'anywhere' }}>
            {result.devices.length} {result.devices.length === 1 ? 'device' : 'devices'} answered on {result.target}{' '}
            within {result.timeout_ms} ms
            {result.configured_not_found.length > 0
              ? `; configured but silent: ${result.configured_not_found.join(', ')}`
              : ''}
            .
          </Typography>
          {result.devices.length === 0 ? (
            <Empty>
              No device answered. Check that the meters are on this network, or give their addresses to ask them
              directly.
            </Empty>
          ) : (
            <Box
              sx={{
                display: 'grid',
                gap: 1,
                gridTemplateColumns: { xs: 'minmax(0, 1fr)', md: 'repeat(2, minmax(0, 1fr))' },
              }}
            >
              {result.devices.map((d) => (
                <Device key={d.device_id} d={d} />
              ))}
            </Box>
          )}
        </Box>
      )}
    </Panel>
  );
}
