import { useEffect } from 'react';
import { Alert, Box, Button, CircularProgress, Container, Typography } from '@mui/material';
import { POLL_MS, useSite } from './store/site-store';
import { clock, viewerTimeZone } from './lib/format';
import { Header } from './components/Header';
import { HealthBanner } from './components/HealthBanner';
import { StatusTiles } from './components/StatusTiles';
import { ForeignDeviceLine } from './components/ForeignDeviceLine';
import { ControlBar } from './components/ControlBar';
import { MetersPanel } from './components/MetersPanel';
import { SyncLogPanel } from './components/SyncLogPanel';
import { DeadLettersPanel } from './components/DeadLettersPanel';
import { later, LaterPart } from './lib/later';

// What the first look needs (health, tiles, meters, sync log) comes in the first chunk; the charts (MUI X, about a
// third of the app) and the technician's tools load beside it, each shown where it will stand (lib/later.tsx).
const BacklogPanel = later(() => import('./components/BacklogPanel').then((m) => m.BacklogPanel));
const ChartPanel = later(() => import('./components/ChartPanel').then((m) => m.ChartPanel));
const ReadPointPanel = later(() => import('./components/ReadPointPanel').then((m) => m.ReadPointPanel));
const DiscoveryPanel = later(() => import('./components/DiscoveryPanel').then((m) => m.DiscoveryPanel));
const LoginDialog = later(() => import('./components/LoginDialog').then((m) => m.LoginDialog));

export function App() {
  const refresh = useSite((s) => s.refresh);
  const status = useSite((s) => s.status);
  const loadError = useSite((s) => s.loadError);
  const lastLoadedAt = useSite((s) => s.lastLoadedAt);

  useEffect(() => {
    void refresh();
    const t = setInterval(() => void refresh(), POLL_MS);
    return () => clearInterval(t);
  }, [refresh]);

  let body;
  if (!status && !loadError) {
    body = (
      <Box
        sx={{ display: 'flex', alignItems: 'center', gap: 2, py: 6, justifyContent: 'center' }}
        data-testid="loading"
      >
        <CircularProgress size={28} aria-label="Loading the site status" />
        <Typography>Asking the site agent how things are…</Typography>
      </Box>
    );
  } else if (!status) {
    body = (
      <Alert
        severity="error"
        sx={{ mt: 2 }}
        data-testid="unreachable"
        action={<Button onClick={() => void refresh()}>Try again</Button>}
      >
        Cannot get the site status: {loadError}. This page tries again every {POLL_MS / 1000} s.
      </Alert>
    );
  } else {
    body = (
      <>
        {loadError && (
          <Alert severity="error" variant="filled" role="alert" sx={{ mb: 2 }} data-testid="stale">
            Connection lost — data as of {clock(new Date(lastLoadedAt ?? Date.now()).toISOString())}: {loadError}.
            Nothing below is current until the agent answers again; trying every {POLL_MS / 1000} s.
          </Alert>
        )}
        <HealthBanner />
        <StatusTiles />
        <ForeignDeviceLine />
        <ControlBar />
        <MetersPanel />
        <LaterPart what="the backlog and readings charts">
          <BacklogPanel />
          <ChartPanel />
        </LaterPart>
        <Box
          sx={{
            display: 'grid',
            gap: { xs: 0, md: 2 },
            gridTemplateColumns: { xs: 'minmax(0, 1fr)', md: 'repeat(2, minmax(0, 1fr))' },
          }}
        >
          <SyncLogPanel />
          <DeadLettersPanel />
        </Box>
        <LaterPart what="the technician's tools">
          <ReadPointPanel />
          <DiscoveryPanel />
        </LaterPart>
        <Typography
          variant="caption"
          color="text.secondary"
          component="p"
          sx={{ textAlign: 'center', pb: 2 }}
          data-testid="updated"
        >
          {loadError ? 'Connection lost · data as of' : 'Updated'}{' '}
          {clock(new Date(lastLoadedAt ?? Date.now()).toISOString())} · refreshes every {POLL_MS / 1000} s · times in{' '}
          {viewerTimeZone()}
        </Typography>
      </>
    );
  }

  return (
    <>
      <Header />
      <Container maxWidth="lg" sx={{ pt: 2, px: { xs: 1.5, sm: 2 } }}>
        {body}
      </Container>
      <LaterPart what="the login" quiet>
        <LoginDialog />
      </LaterPart>
    </>
  );
}
