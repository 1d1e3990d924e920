import { Box, Chip, FormControl, InputAdornment, InputLabel, OutlinedInput } from '@mui/material';
import type { SiteSummary } from '@meterit/shared';
import { matchesStatus, STATUS_FILTERS, type StatusFilter } from './overview-state';

const WORDS: Record<StatusFilter, string> = {
  all: 'All',
  problems: 'Problems',
  offline: 'Offline',
  degraded: 'Degraded',
  online: 'Online',
  inactive: 'Inactive',
};

/** The search box and one chip per status filter, each with how many sites it would show. */
export function OverviewToolbar({
  sites,
  q,
  status,
  onSearch,
  onStatus,
}: {
  sites: SiteSummary[];
  q: string;
  status: StatusFilter;
  onSearch(q: string): void;
  onStatus(s: StatusFilter): void;
}) {
  // Inactive sites only come when asked for; a chip that can only ever show nothing is left out.
  const filters = STATUS_FILTERS.filter((f) => f !== 'inactive' || status === f || sites.some((s) => !s.is_active));
  return (
    <Box sx={{ display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: 1.5, mb: 1.5 }}>
      {/* The input and its label without TextField, which would bring MUI's select and menu to the first page. */}
      <FormControl size="small" sx={{ flex: '1 1 240px', maxWidth: { md: 360 } }}>
        <InputLabel htmlFor="site-search">Search sites</InputLabel>
        <OutlinedInput
          id="site-search"
          label="Search sites"
          placeholder="Name or location"
          value={q}
          onChange={(e) => onSearch(e.target.value)}
          inputProps={{ 'data-testid': 'site-search', maxLength: 200 }}
          endAdornment={
            q ? (
              <InputAdornment position="end">
                <Chip size="small" label="Clear" onClick={() => onSearch('')} />
              </InputAdornment>
            ) : null
          }
        />
      </FormControl>
      <Box role="group" aria-label="Show sites" sx={{ display: 'flex', flexWrap: 'wrap', gap: 1 }}>
        {filters.map((f) => (
          <Chip
            key={f}
            label={`${WORDS[f]} ${sites.filter((s) => matchesStatus(s, f)).length}`}
            color={f === status ? 'primary' : 'default'}
            variant={f === status ? 'filled' : 'outlined'}
            onClick={() => onStatus(f)}
            aria-pressed={f === status}
            data-testid={`status-filter-${f}`}
          />
        ))}
      </Box>
    </Box>
  );
}
