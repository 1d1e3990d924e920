import { Box, Button, Typography } from '@mui/material';
import { useState } from 'react';
import type { SiteKeyResponse, SitesResponse, SiteSummary } from '@meterit/shared';
import { api } from '../api/client';
import { KeyReveal } from '../components/KeyReveal';
import { EmptyState, Loadable } from '../components/StateViews';
import { usePoll } from '../components/usePoll';
import { can, useAuth } from '../store/auth';
import { RotateDialog } from './admin-sites/RotateDialog';
import { SiteDialog } from './admin-sites/SiteDialog';
import { SitesTable } from './admin-sites/SitesTable';
import { PanelDialog } from '../components/PanelDialog';

export function AdminSitesPage() {
  const user = useAuth((s) => s.user);
  const isAdmin = can.manageSites(user);
  const sites = usePoll(
    async () => (await api.get<SitesResponse>('/api/sites', { params: { include_inactive: true } })).data.sites,
    [],
  );
  const [dialog, setDialog] = useState<{ kind: 'new' } | { kind: 'edit' | 'rotate'; site: SiteSummary }>();
  const [created, setCreated] = useState<SiteKeyResponse>();

  return (
    <Box>
      <Box
        sx={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', mb: 2, flexWrap: 'wrap', gap: 1 }}
      >
        <Typography sx={{ fontWeight: 700 }} variant="h5">
          Sites & meters
        </Typography>
        {isAdmin ? (
          <Button variant="contained" onClick={() => setDialog({ kind: 'new' })}>
            New site
          </Button>
        ) : null}
      </Box>
      <Loadable state={sites} what="sites">
        {(list) =>
          list.length === 0 ? (
            <EmptyState title="No sites yet">
              {isAdmin
                ? 'Create one with "New site"; you get its API key for the installer.'
                : 'Ask an admin to create a site.'}
            </EmptyState>
          ) : (
            <SitesTable
              sites={list}
              isAdmin={isAdmin}
              canEditMeters={can.manageMeters(user)}
              onEdit={(site) => setDialog({ kind: 'edit', site })}
              onRotate={(site) => setDialog({ kind: 'rotate', site })}
            />
          )
        }
      </Loadable>
      {dialog?.kind === 'new' || dialog?.kind === 'edit' ? (
        <SiteDialog
          site={dialog.kind === 'edit' ? dialog.site : undefined}
          onClose={() => setDialog(undefined)}
          onDone={(c) => {
            setDialog(undefined);
            if (c) setCreated(c);
            sites.reload();
          }}
        />
      ) : null}
      {dialog?.kind === 'rotate' ? <RotateDialog site={dialog.site} onClose={() => setDialog(undefined)} /> : null}
      {created ? (
        <PanelDialog
          title={<>Site {created.site_name} created</>}
          onClose={() => setCreated(undefined)}
          maxWidth="sm"
          actions={
            <>
              <Button onClick={() => setCreated(undefined)}>Done</Button>
            </>
          }
        >
          <KeyReveal created={created} />
        </PanelDialog>
      ) : null}
    </Box>
  );
}
