import { Component, lazy, Suspense, type ComponentType, type ReactNode } from 'react';
import { Alert, Box, Button, CircularProgress, Typography } from '@mui/material';

// Parts of the page that load after the site's status (charts, tools, dialogs). Their chunks are asked for as soon
// as the page starts, beside the first status request, so they are there by the time the status shows; and if the
// agent went away before a chunk arrived (a restart), that part says so instead of taking the whole page down.

/** A component from a chunk that starts loading now. */
export function later<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  const loading = load();
  // Seen by the part's boundary when it renders; not an unhandled rejection before that.
  loading.catch(() => undefined);
  return lazy(async () => ({ default: await loading }));
}

/** Shows, in place of a part whose chunk could not be loaded, what happened and how to get it back. */
class PartBoundary extends Component<{ what: string; children: ReactNode }, { error: Error | null }> {
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
      <Alert
        severity="warning"
        sx={{ mb: 2 }}
        data-testid="part-not-loaded"
        action={<Button onClick={() => window.location.reload()}>Reload</Button>}
      >
        {fetchFailed
          ? `Could not load ${this.props.what}: the agent did not answer when the page asked for it. Reload the page once the agent answers again.`
          : `${this.props.what} stopped with an error: ${error.message}. Reload the page to start it again.`}
      </Alert>
    );
  }
}

/**
 * Where a later part stands: "Loading …" while its chunk comes (unless `quiet`, for dialogs), and what went wrong
 * if it cannot come.
 */
export function LaterPart({ what, quiet, children }: { what: string; quiet?: boolean; children: ReactNode }) {
  const loading = quiet ? null : (
    <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5, py: 3, justifyContent: 'center' }}>
      {/* Named, as screen readers announce a progressbar by its name (axe: aria-progressbar-name). */}
      <CircularProgress size={20} aria-label={`Loading ${what}`} />
      <Typography variant="body2" color="text.secondary">
        Loading {what}…
      </Typography>
    </Box>
  );
  return (
    <PartBoundary what={what}>
      <Suspense fallback={loading}>{children}</Suspense>
    </PartBoundary>
  );
}
