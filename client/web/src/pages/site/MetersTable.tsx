import { Box, Chip, TableCell, TableRow, Tooltip, Typography } from '@mui/material';
import { pointLabel, qualityWords, type MeterSummary } from '@meterit/shared';
import { DataTable, EditCell } from '../../components/DataTable';
import { Link } from '../../components/Link';
import { MeterStatusChip } from '../../components/StatusChip';
import { fmtAgo, fmtDateTime, fmtNumber } from '../../format';

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
              {m.data_points.map((p) => {
                const flagged = p.latest && p.latest.quality !== 'good' ? p.latest.quality : null;
                const value = p.latest ? fmtNumber(p.latest.value, Math.abs(p.latest.value) >= 1000 ? 1 : 2) : '—';
                return (
                  // The point's own name, and a quality flag's code, stay in the tooltip.
                  <Tooltip key={p.name} title={flagged ? `${p.name} · ${flagged}` : p.name} describeChild>
                    <Chip
                      size="small"
                      variant="outlined"
                      color={flagged && m.values_current ? 'error' : 'default'}
                      label={`${pointLabel(p.name, p.latest?.unit ?? p.unit)}: ${value}${flagged ? ` (${qualityWords(flagged)})` : ''}`}
                      data-testid="latest-value"
                      data-point={p.name}
                      data-current={m.values_current ? 'true' : 'false'}
                      sx={
                        m.values_current
                          ? undefined
                          : { color: 'text.secondary', borderStyle: 'dashed', bgcolor: 'action.hover' }
                      }
                    />
                  </Tooltip>
                );
              })}
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
