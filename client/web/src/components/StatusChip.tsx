import { Chip, type ChipProps } from '@mui/material';
import type { MeterHealth, SiteHealth } from '@meterit/shared';

const SITE: Record<SiteHealth, { label: string; color: ChipProps['color'] }> = {
  online: { label: 'Online', color: 'success' },
  degraded: { label: 'Degraded', color: 'warning' },
  offline: { label: 'Offline', color: 'error' },
  inactive: { label: 'Inactive', color: 'default' },
};

const METER: Record<MeterHealth, { label: string; color: ChipProps['color'] }> = {
  ok: { label: 'OK', color: 'success' },
  fault: { label: 'Fault', color: 'error' },
  stale: { label: 'Stale', color: 'warning' },
  no_data: { label: 'No data', color: 'default' },
  inactive: { label: 'Inactive', color: 'default' },
  not_answering: { label: 'Not answering', color: 'error' },
  wrong_device: { label: 'Wrong device', color: 'error' },
  degraded: { label: 'Degraded', color: 'warning' },
};

/** Colour and a word, so the state reads without colour too. */
export function SiteStatusChip({ status, size = 'small' }: { status: SiteHealth; size?: ChipProps['size'] }) {
  const s = SITE[status];
  return (
    <Chip label={s.label} color={s.color} size={size} sx={{ fontWeight: 600, minWidth: 86 }} data-status={status} />
  );
}

export function MeterStatusChip({ status, title }: { status: MeterHealth; title?: string }) {
  const s = METER[status];
  return (
    <Chip
      label={s.label}
      color={s.color}
      size="small"
      variant={status === 'ok' ? 'outlined' : 'filled'}
      title={title}
      sx={{ fontWeight: 600 }}
      data-meter-status={status}
    />
  );
}
