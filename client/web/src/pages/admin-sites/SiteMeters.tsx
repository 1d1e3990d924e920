import { Box, Button, TableCell, TableRow, Typography } from '@mui/material';
import { useState } from 'react';
import type { MeterSummary, SiteSummary } from '@meterit/shared';
import { useSiteMeters } from '../../api/queries';
import { DataTable, EditCell } from '../../components/DataTable';
import { MeterDialog } from '../../components/MeterDialog';
import { EmptyState, Loadable } from '../../components/StateViews';
import { MeterStatusChip } from '../../components/StatusChip';

/** The meters of one site, unfolded under its row. */
export function SiteMeters({ site, canEdit }: { site: SiteSummary; canEdit: boolean }) {
  const meters = useSiteMeters(site.site_id);
  const [editing, setEditing] = useState<MeterSummary | 'new'>();
  return (
    <Box sx={{ p: 2, bgcolor: 'action.hover' }}>
      <Box sx={{ display: 'flex', justifyContent: 'space-between', mb: 1 }}>
        <Typography variant="subtitle2">Meters of {site.site_name}</Typography>
        {canEdit ? (
          <Button size="small" variant="outlined" onClick={() => setEditing('new')}>
            Add meter
          </Button>
        ) : null}
      </Box>
      <Loadable state={meters} what="meters">
        {(list) =>
          list.length === 0 ? (
            <EmptyState title="No meters yet">
              Add one here, or let the site agent register the meters of its meters.json when it connects.
            </EmptyState>
          ) : (
            <DataTable outlined={false}>
              {list.map((m) => (
                <TableRow key={m.id} data-testid={`admin-meter-${m.external_id}`}>
                  <TableCell>{m.external_id}</TableCell>
                  <TableCell>{m.name}</TableCell>
                  <TableCell>
                    device {m.bacnet_device_id} @ {m.bacnet_ip}
                  </TableCell>
                  <TableCell>{m.data_points.map((p) => p.name).join(', ')}</TableCell>
                  <TableCell>
                    <MeterStatusChip status={m.status} title={m.status_reason} />
                  </TableCell>
                  <EditCell onEdit={canEdit ? () => setEditing(m) : undefined} />
                </TableRow>
              ))}
            </DataTable>
          )
        }
      </Loadable>
      {editing ? (
        <MeterDialog
          siteId={site.site_id}
          meter={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(undefined)}
          onSaved={() => {
            setEditing(undefined);
            meters.reload();
          }}
        />
      ) : null}
    </Box>
  );
}
