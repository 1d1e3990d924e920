import { Box, Button, Checkbox, FormControlLabel, IconButton, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import type { DataPointConfig, MeterSummary, MeterWriteRequest } from '@meterit/shared';
import { api, errorText } from '../api/client';
import { FormDialog } from './FormDialog';
import { asOptions, SelectField } from './SelectField';

const STANDARD_POINTS: DataPointConfig[] = [
  { object_type: 'analogInput', instance: 0, property: 'presentValue', name: 'total_kwh', unit: 'kWh' },
  { object_type: 'analogInput', instance: 1, property: 'presentValue', name: 'current_kw', unit: 'kW' },
  { object_type: 'analogInput', instance: 2, property: 'presentValue', name: 'voltage', unit: 'V' },
  { object_type: 'analogInput', instance: 3, property: 'presentValue', name: 'current', unit: 'A' },
];
const OBJECT_TYPES = ['analogInput', 'analogValue', 'analogOutput', 'accumulator', 'binaryInput', 'multiStateInput'];

interface Props {
  siteId: number;
  /** Edit this meter; absent = add a new one. */
  meter?: MeterSummary;
  onClose(): void;
  onSaved(): void;
}

/** Add or edit a meter and its BACnet data points; the site agent picks the change up at its next config refresh. */
export function MeterDialog({ siteId, meter, onClose, onSaved }: Props) {
  const [form, setForm] = useState({
    external_id: meter?.external_id ?? '',
    name: meter?.name ?? '',
    bacnet_device_id: String(meter?.bacnet_device_id ?? ''),
    bacnet_ip: meter?.bacnet_ip ?? '',
    bacnet_port: String(meter?.bacnet_port ?? 47808),
    is_active: meter?.is_active ?? true,
  });
  const [points, setPoints] = useState<DataPointConfig[]>(
    meter ? meter.data_points.map(({ latest: _l, ...p }) => p) : STANDARD_POINTS,
  );
  const [error, setError] = useState<string>();
  const [saving, setSaving] = useState(false);
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setForm({ ...form, [k]: e.target.value });
  const setPoint = (i: number, patch: Partial<DataPointConfig>) =>
    setPoints(points.map((p, j) => (j === i ? { ...p, ...patch } : p)));

  const save = async () => {
    setSaving(true);
    setError(undefined);
    const body: MeterWriteRequest = {
      external_id: form.external_id.trim(),
      name: form.name.trim(),
      bacnet_device_id: Number(form.bacnet_device_id),
      bacnet_ip: form.bacnet_ip.trim(),
      bacnet_port: form.bacnet_port.trim() === '' ? null : Number(form.bacnet_port),
      is_active: form.is_active,
      data_points: points.map((p) => ({
        ...p,
        instance: Number(p.instance),
        unit: p.unit?.trim() ? p.unit.trim() : null,
      })),
    };
    try {
      if (meter) await api.patch(`/api/meters/${meter.id}`, body);
      else await api.post(`/api/sites/${siteId}/meters`, body);
      onSaved();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <FormDialog
      title={meter ? `Edit meter ${meter.name}` : 'Add a meter'}
      submitLabel={meter ? 'Save meter' : 'Add meter'}
      onSubmit={save}
      onClose={onClose}
      error={error}
      busy={saving}
      maxWidth="md"
    >
      <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
        The site agent downloads its meter list from here and starts reading the change at its next configuration
        refresh (every few minutes).
      </Typography>
      <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', sm: '1fr 1fr' }, gap: 2 }}>
        <TextField
          label="Meter id (unique on the site)"
          value={form.external_id}
          onChange={set('external_id')}
          required
          autoFocus={!meter}
          name="external_id"
        />
        <TextField label="Name" value={form.name} onChange={set('name')} required name="name" />
        <TextField
          label="BACnet device id"
          value={form.bacnet_device_id}
          onChange={set('bacnet_device_id')}
          required
          name="bacnet_device_id"
          slotProps={{ htmlInput: { inputMode: 'numeric' } }}
        />
        <TextField
          label="BACnet IP address"
          value={form.bacnet_ip}
          onChange={set('bacnet_ip')}
          required
          name="bacnet_ip"
          placeholder="192.168.1.100"
        />
        <TextField label="BACnet UDP port" value={form.bacnet_port} onChange={set('bacnet_port')} name="bacnet_port" />
        <FormControlLabel
          control={
            <Checkbox checked={form.is_active} onChange={(e) => setForm({ ...form, is_active: e.target.checked })} />
          }
          label="Active (read by the agent)"
        />
      </Box>
      <Typography variant="subtitle2" sx={{ mt: 3, mb: 1 }}>
        Data points
      </Typography>
      {points.map((p, i) => (
        <Box
          key={i}
          sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr 1fr', sm: '2fr 1fr 2fr 1fr auto' }, gap: 1, mb: 1 }}
        >
          <SelectField
            size="small"
            label="Object type"
            value={p.object_type}
            onChange={(e) => setPoint(i, { object_type: e.target.value })}
            options={asOptions([...new Set([...OBJECT_TYPES, p.object_type])])}
          />
          <TextField
            size="small"
            label="Instance"
            value={p.instance}
            onChange={(e) => setPoint(i, { instance: Number(e.target.value) || 0 })}
          />
          <TextField size="small" label="Name" value={p.name} onChange={(e) => setPoint(i, { name: e.target.value })} />
          <TextField
            size="small"
            label="Unit"
            value={p.unit ?? ''}
            onChange={(e) => setPoint(i, { unit: e.target.value })}
          />
          <IconButton
            aria-label={`remove data point ${p.name}`}
            onClick={() => setPoints(points.filter((_, j) => j !== i))}
          >
            ×
          </IconButton>
        </Box>
      ))}
      <Button
        size="small"
        onClick={() =>
          setPoints([
            ...points,
            { object_type: 'analogInput', instance: points.length, property: 'presentValue', name: '', unit: '' },
          ])
        }
      >
        + Add data point
      </Button>
    </FormDialog>
  );
}
