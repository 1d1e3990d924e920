import {
  Alert,
  AlertTitle,
  Box,
  Button,
  CircularProgress,
  Paper,
  Typography,
  type SxProps,
  type Theme,
} from '@mui/material';
import { Component, type ReactNode } from 'react';

export function Loading({ what }: { what: string }) {
  return (
    <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, p: 3 }} role="status">
      <CircularProgress size={22} />
      <Typography color="text.secondary">Loading {what}…</Typography>
    </Box>
  );
}

export function ErrorState({ message, onRetry }: { message: string; onRetry?: () => void }) {
  return (
    <Alert
      severity="error"
      sx={{ my: 2 }}
      action={
        onRetry ? (
          <Button color="inherit" size="small" onClick={onRetry}>
            Try again
          </Button>
        ) : undefined
      }
    >
      <AlertTitle>Could not load this</AlertTitle>
      {message}
    </Alert>
  );
}

/** The last error of an action, or nothing while there is none. */
export function ErrorNote({ error, sx }: { error: string | null | undefined; sx?: SxProps<Theme> }) {
  return error ? (
    <Alert severity="error" sx={sx}>
      {error}
    </Alert>
  ) : null;
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <Paper
      variant="outlined"
      sx={{ p: 3, my: 2, textAlign: 'center', borderStyle: 'dashed' }}
      data-testid="empty-state"
    >
      <Typography sx={{ fontWeight: 600 }} variant="subtitle1">
        {title}
      </Typography>
      {children ? (
        <Typography color="text.secondary" sx={{ mt: 0.5 }}>
          {children}
        </Typography>
      ) : null}
      {action ? <Box sx={{ mt: 2 }}>{action}</Box> : null}
    </Paper>
  );
}

/** Data, or the loading / error state in its place. A refresh failure keeps the data and shows the error above it. */
export function Loadable<T>({
  state,
  what,
  children,
}: {
  state: { data: T | undefined; error: string | undefined; loading: boolean; reload: () => void };
  what: string;
  children: (data: T) => ReactNode;
}) {
  if (state.data === undefined) {
    if (state.error) return <ErrorState message={state.error} onRetry={state.reload} />;
    return <Loading what={what} />;
  }
  return (
    <>
      {state.error ? (
        <ErrorState message={`Showing the last data received. ${state.error}`} onRetry={state.reload} />
      ) : null}
      {children(state.data)}
    </>
  );
}

/**
 * Around a part that comes in its own chunk (a page, the navigation, a dialog): if the chunk could not be fetched
 * (the server went away in between), the part says so with a reload instead of taking the whole app down. Give it
 * a `key` that changes with the route, so the next page is tried afresh.
 */
export class ChunkBoundary extends Component<{ what: string; children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: unknown): { error: Error } {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    // Chromium, Firefox and Safari each word a failed chunk differently.
    const fetchFailed = /dynamically imported module|importing a module script failed|error loading dynamically/i.test(
      error.message,
    );
    return (
      <ErrorState
        message={
          fetchFailed
            ? `${this.props.what} could not be fetched from the server. Reload once the server answers again.`
            : `${this.props.what} stopped with an error: ${error.message}. Reload to start it again.`
        }
        onRetry={() => window.location.reload()}
      />
    );
  }
}
