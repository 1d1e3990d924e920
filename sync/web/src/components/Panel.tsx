import type { ReactNode } from 'react';
import { Box, Paper, Typography } from '@mui/material';

/** A titled section of the page. */
export function Panel(props: {
  title: string;
  subtitle?: ReactNode;
  action?: ReactNode;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <Paper component="section" sx={{ p: { xs: 1.5, sm: 2 }, mb: 2 }} data-testid={props.testId}>
      <Box sx={{ display: 'flex', alignItems: 'baseline', gap: 1, flexWrap: 'wrap', mb: 1 }}>
        <Typography variant="h6" component="h2" sx={{ fontSize: '1.1rem', flexGrow: 1 }}>
          {props.title}
        </Typography>
        {props.subtitle && (
          <Typography variant="body2" color="text.secondary">
            {props.subtitle}
          </Typography>
        )}
        {props.action}
      </Box>
      {props.children}
    </Paper>
  );
}

/** What an empty list means and what to do, instead of a blank box. */
export function Empty(props: { children: ReactNode }) {
  return (
    <Typography variant="body2" color="text.secondary" sx={{ py: 1.5 }}>
      {props.children}
    </Typography>
  );
}
