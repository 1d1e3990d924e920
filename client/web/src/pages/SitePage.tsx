import { Box, Button } from '@mui/material';
import { useMemo, useState } from 'react';
import type { MeterSummary, SiteSummary } from '@meterit/shared';
import { api } from '../api/client';
import { useSiteMeters } from '../api/queries';
import { Link } from '../components/Link';
import { MeterDialog } from '../components/MeterDialog';
import { EmptyState, Loadable } from '../components/StateViews';
import { usePoll } from '../components/usePoll';
import { ActiveAlerts } from '../components/ActiveAlerts';
import { CommissioningPanel } from '../components/CommissioningPanel';
import { viewerTimeZone } from '../format';
import { can, useAuth } from '../store/auth';
import { ConnectivityPanel } from './site/ConnectivityPanel';
import { ConsumptionPanel } from './site/ConsumptionPanel';
import { HistoryPanel } from './site/HistoryPanel';
import { MetersTable } from './site/MetersTable';
import { ReadingsPanel } from './site/ReadingsPanel';
import { Section } from './site/Section';
import { SiteHeader } from './site/SiteHeader';

export function SitePage({ id }: { id: number }) {
  const user = useAuth((s) => s.user);
  const site = usePoll(
    async () =>
      (await api.get<{ site: SiteSummary }>(`/api/sites/${id}`, { params: { tz: viewerTimeZone() } })).data.site,
    [id],
    15_000,
  );
  const meters = useSiteMeters(id, 15_000);
  const [editing, setEditing] = useState<MeterSummary | 'new'>();
  const active = useMemo(() => meters.data?.filter((m) => m.is_active) ?? [], [meters.data]);

  return (
    <Box>
      <Link to="/" variant="body2">
        ← All sites
      </Link>
      <Box sx={{ mt: 1 }}>
        <Loadable state={site} what="the site">
          {(s) => <SiteHeader site={s} updatedAt={site.updatedAt} />}
        </Loadable>
        <ActiveAlerts siteId={id} />
      </Box>
      <Section
        title="Meters"
        action={
          can.manageMeters(user) ? (
            <Button variant="outlined" size="small" onClick={() => setEditing('new')}>
              Add meter
            </Button>
          ) : null
        }
      >
        <Loadable state={meters} what="meters">
          {(list) =>
            list.length === 0 ? (
              <EmptyState title="No meters on this site yet">
                The site agent registers the meters of its meters.json when it first connects
                {can.manageMeters(user) ? ', or add one here with "Add meter"' : ''}.
              </EmptyState>
            ) : (
              <MetersTable meters={list} canEdit={can.manageMeters(user)} onEdit={(m) => setEditing(m)} />
            )
          }
        </Loadable>
      </Section>
      {active.length > 0 ? (
        <Section title="Readings">
          <ReadingsPanel siteId={id} meters={active} />
        </Section>
      ) : null}
      <Section
        title="Energy"
        action={
          <Link to={`/sites/${id}/costs`} variant="body2">
            Costs →
          </Link>
        }
      >
        <ConsumptionPanel siteId={id} />
      </Section>
      <Section title="History">
        <HistoryPanel siteId={id} />
      </Section>
      <Section title="Connectivity">
        <ConnectivityPanel siteId={id} />
      </Section>
      <Section title="Commissioning">
        <CommissioningPanel siteId={id} />
      </Section>
      {editing ? (
        <MeterDialog
          siteId={id}
          meter={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(undefined)}
          onSaved={() => {
            setEditing(undefined);
            meters.reload();
            site.reload();
          }}
        />
      ) : null}
    </Box>
  );
}
