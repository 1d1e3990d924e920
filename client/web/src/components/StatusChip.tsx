import { Chip, type ChipProps } from '@mui/material';
import type { MeterHealth, SiteHealth } from '@meterit/shared';

/** The word and colour of each state of one kind. */
export type ChipMarks<K extends string> = Record<K, { label: string; color: ChipProps['color'] }>;

/** A state as a small chip, from its kind's words and colours; `outlined` for the state that needs no attention. */
export function MarkChip<K extends string>({
  marks,
  status,
  outlined = false,
  ...chip
}: { marks: ChipMarks<K>; status: K; outlined?: boolean } & Omit<ChipProps, 'label' | 'color' | 'variant'>) {
  const m = marks[status];
  return (
    <Chip
      label={m.label}
      color={m.color}
      size="small"
      variant={outlined ? 'outlined' : 'filled'}
      {...chip}
      // The label colour of a filled chip is the theme's (contrastThreshold 4.5 in theme.ts picks it for contrast).
      sx={chip.sx}
    />
  );
}

const SITE: ChipMarks<SiteHealth> = {
  online: { label: 'Online', color: 'success' },
  degraded: { label: 'Degraded', color: 'warning' },
  offline: { label: 'Offline', color: 'error' },
  inactive: { label: 'Inactive', color: 'default' },
};

const METER: ChipMarks<MeterHealth> = {
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
  return (
    <MarkChip marks={SITE} status={status} size={size} sx={{ fontWeight: 600, minWidth: 86 }} data-status={status} />
  );
}

export function MeterStatusChip({ status, title }: { status: MeterHealth; title?: string }) {
  return (
    <MarkChip
      marks={METER}
      status={status}
      outlined={status === 'ok'}
      title={title}
      sx={{ fontWeight: 600 }}
      data-meter-status={status}
    />
  );
}
