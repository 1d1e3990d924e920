import { Box, Typography } from '@mui/material';
import type { AlertPreviewResponse } from '@meterit/shared';
import { fmtDateTime } from '../../format';

/** What the rule would have done over the last day. */
export function RulePreview({ preview }: { preview: AlertPreviewResponse }) {
  return (
    <Box data-testid="rule-preview">
      <Typography sx={{ fontWeight: 600 }}>
        Over the last day this rule would have fired {preview.episodes.length} time
        {preview.episodes.length === 1 ? '' : 's'}
      </Typography>
      {preview.note ? (
        <Typography variant="body2" color="text.secondary">
          {preview.note}
        </Typography>
      ) : null}
      {preview.episodes.slice(0, 10).map((e, i) => (
        <Typography key={i} variant="body2">
          {fmtDateTime(e.fired_at)}
          {e.resolved_at ? ` – ${fmtDateTime(e.resolved_at)}` : ' (still)'} · {e.title}
        </Typography>
      ))}
    </Box>
  );
}
