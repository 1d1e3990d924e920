import { Box, Button, TableCell, TableRow, Typography } from '@mui/material';
import { useState } from 'react';
import type { SiteSummary } from '@meterit/shared';
import { DataTable } from '../../components/DataTable';
import { Link } from '../../components/Link';
import { SiteStatusChip } from '../../components/StatusChip';
import { fmtDateTime } from '../../format';
import { SiteMeters } from './SiteMeters';

/** Every site with its actions; "Meters" unfolds the site's meters under its row. */
export function SitesTable({
  sites,
  isAdmin,
  canEditMeters,
  onEdit,
  onRotate,
}: {
  sites: SiteSummary[];
  isAdmin: boolean;
  canEditMeters: boolean;
  onEdit(site: SiteSummary): void;
  onRotate(site: SiteSummary): void;
}) {
  const [open, setOpen] = useState<number>();
  return (
    <DataTable label="manage sites" columns={['Site', 'Status', 'Meters', 'Actions']}>
      {sites.flatMap((s) => [
        <TableRow key={s.site_id} data-testid={`admin-site-${s.site_name}`}>
          <TableCell>
            <Link sx={{ fontWeight: 600 }} to={`/sites/${s.site_id}`}>
              {s.site_name}
            </Link>
            <Typography variant="caption" color="text.secondary" component="div">
              id {s.site_id}
              {s.location ? ` · ${s.location}` : ''} · {s.time_zone} · {s.currency} · created{' '}
              {fmtDateTime(s.created_at)}
            </Typography>
          </TableCell>
          <TableCell>
            <SiteStatusChip status={s.status} />
          </TableCell>
          <TableCell>{s.meters.configured}</TableCell>
          <TableCell>
            <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
              <Button
                size="small"
                variant={open === s.site_id ? 'contained' : 'outlined'}
                onClick={() => setOpen(open === s.site_id ? undefined : s.site_id)}
              >
                Meters
              </Button>
              {isAdmin ? (
                <>
                  <Button size="small" onClick={() => onEdit(s)}>
                    Edit
                  </Button>
                  <Button size="small" color="warning" onClick={() => onRotate(s)}>
                    Rotate key
                  </Button>
                </>
              ) : null}
            </Box>
          </TableCell>
        </TableRow>,
        open === s.site_id ? (
          <TableRow key={`${s.site_id}-meters`}>
            <TableCell colSpan={4} sx={{ p: 0 }}>
              <SiteMeters site={s} canEdit={canEditMeters} />
            </TableCell>
          </TableRow>
        ) : null,
      ])}
    </DataTable>
  );
}
