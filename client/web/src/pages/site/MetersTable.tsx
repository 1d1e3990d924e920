import { Box, Chip, TableCell, TableRow, Typography } from '@mui/material';
import type { MeterSummary } from '@meterit/shared';
import { DataTable, EditCell } from '../../components/DataTable';
import { Link } from '../../components/Link';
import { MeterStatusChip } from '../../components/StatusChip';
import { fmtAgo, fmtDateTime, fmtValue } from '../../format';

export function MetersTable({
  meters,
  canEdit,
  onEdit,
}: {
  meters: MeterSummary[];
  canEdit: boolean;
  onEdit(m: MeterSummary): void;
}) {
  return (
    <DataTable label="meters" columns={['Meter', 'Status', 'Latest values', 'Last reading', canEdit ? '' : null]}>
      {meters.map((m) => (
        <TableRow key={m.id} hover data-testid={`meter-row-${m.external_id}`}>
          <TableCell>
            <Link sx={{ fontWeight: 600 }} to={`/meters/${m.id}`}>
              {m.name}
            </Link>
            <Typography variant="caption" color="text.secondary" component="div">
              {m.external_id} · device {m.bacnet_device_id} @ {m.bacnet_ip}
            </Typography>
          </TableCell>
          <TableCell>
            <MeterStatusChip status={m.status} title={m.status_reason} />
            {m.status !== 'ok' ? (
              <Typography variant="caption" color="text.secondary" component="div" sx={{ maxWidth: 220 }}>
                {m.status_reason}
              </Typography>
            ) : null}
          </TableCell>
          <TableCell>
            <Box sx={{ display: 'flex', gap: 0.5, flexWrap: 'wrap' }}>
              {m.data_points.map((p) => (
                <Chip
                  key={p.name}
                  size="small"
                  variant="outlined"
                  color={p.latest && p.latest.quality !== 'good' && m.values_current ? 'error' : 'default'}
                  label={`${p.name}: ${p.latest ? fmtValue(p.latest.value, p.latest.unit) : '—'}${p.latest && p.latest.quality !== 'good' ? ` (${p.latest.quality})` : ''}`}
                  data-testid="latest-value"
                  data-current={m.values_current ? 'true' : 'false'}
                  sx={
                    m.values_current
                      ? undefined
                      : { color: 'text.disabled', borderStyle: 'dashed', bgcolor: 'action.disabledBackground' }
                  }
                />
              ))}
            </Box>
            {!m.values_current && m.last_reading_at && m.is_active ? (
              <Typography variant="caption" color="text.secondary" component="div" data-testid="values-as-of">
                as of {fmtDateTime(m.last_reading_at)} ({fmtAgo(m.last_reading_at)}) — not current, left out of the site
                totals
              </Typography>
            ) : null}
          </TableCell>
          <TableCell title={fmtDateTime(m.last_reading_at)}>{fmtAgo(m.last_reading_at)}</TableCell>
          {canEdit ? <EditCell onEdit={() => onEdit(m)} /> : null}
        </TableRow>
      ))}
    </DataTable>
  );
}
